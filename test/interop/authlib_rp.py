"""A relying party written with Python Authlib, configured the way its documentation shows.

Driven by test/interop/authlib.test.ts over stdin/stdout, one JSON object per line:
  argv: issuer client_id client_secret redirect_uri scope [prompt]
  out:  {"authorization_url": ...}     in: the callback URL the browser landed on
  out:  {"library": ..., "steps": [{"step", "ok", "saw"}, ...]}
Each step records what the RP saw, so a failing check can say it. The browser part (the wallet
signature on the real sign-in page) is done by the test.
"""
import json
import os
import sys
import time

# Authlib refuses plain http unless told otherwise; the provider runs on loopback http here.
os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")

import authlib  # noqa: E402
import requests  # noqa: E402
from authlib.common.security import generate_token  # noqa: E402
from authlib.integrations.requests_client import OAuth2Session  # noqa: E402
from authlib.jose import JsonWebKey, jwt  # noqa: E402
from authlib.oidc.core import CodeIDToken  # noqa: E402


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def main():
    issuer, client_id, client_secret, redirect_uri, scope = sys.argv[1:6]
    prompt = sys.argv[6] if len(sys.argv) > 6 and sys.argv[6] else None
    steps = []

    def step(name, fn):
        try:
            saw = fn()
            steps.append({"step": name, "ok": True, "saw": saw})
            return True
        except Exception as error:  # the report says what the RP saw instead of a traceback
            steps.append({"step": name, "ok": False, "saw": f"{type(error).__name__}: {error}"})
            return False

    metadata = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=10).json()
    session = OAuth2Session(
        client_id, client_secret,
        scope=scope, redirect_uri=redirect_uri,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",
    )
    # Authlib refreshes on its own (ensure_active_token) when it knows the token endpoint.
    session.metadata["token_endpoint"] = metadata["token_endpoint"]
    verifier = generate_token(48)
    nonce = generate_token(20)
    extra = {"nonce": nonce}
    if prompt:
        extra["prompt"] = prompt
    url, state = session.create_authorization_url(metadata["authorization_endpoint"], code_verifier=verifier, **extra)
    emit({"authorization_url": url})

    callback = sys.stdin.readline().strip()
    state_box = {}

    def exchange():
        token = session.fetch_token(metadata["token_endpoint"], authorization_response=callback, code_verifier=verifier, state=state)
        state_box["token"] = token
        return {"scope": token.get("scope"), "has_refresh_token": "refresh_token" in token, "token_type": token.get("token_type")}

    def id_token():
        token = state_box["token"]
        jwks = JsonWebKey.import_key_set(requests.get(metadata["jwks_uri"], timeout=10).json())
        claims = jwt.decode(
            token["id_token"], jwks, claims_cls=CodeIDToken,
            claims_options={"iss": {"essential": True, "values": [issuer]}},
            claims_params={"nonce": nonce, "client_id": client_id, "access_token": token["access_token"]},
        )
        claims.validate(leeway=5)
        state_box["sub"] = claims["sub"]
        return dict(claims)

    def userinfo():
        response = session.get(metadata["userinfo_endpoint"], timeout=10)
        response.raise_for_status()
        info = response.json()
        if info.get("sub") != state_box["sub"]:
            raise ValueError(f"userinfo sub {info.get('sub')} is not the ID token's {state_box['sub']}")
        return info

    def refresh():
        # The access token has "expired": Authlib's own refresh (ensure_active_token) runs on the
        # next call, sending the configured scope again (RFC 6749 §6), as in production.
        old = dict(session.token)
        session.token["expires_at"] = int(time.time()) - 60
        response = session.get(metadata["userinfo_endpoint"], timeout=10)
        response.raise_for_status()
        if session.token["access_token"] == old["access_token"]:
            raise ValueError("the access token was not refreshed")
        state_box["rotated_from"] = old["refresh_token"]
        return {"scope": session.token.get("scope"), "refresh_token_rotated": session.token.get("refresh_token") != old["refresh_token"], "userinfo_sub": response.json().get("sub")}

    def revoke():
        response = session.revoke_token(metadata["revocation_endpoint"], token=session.token["refresh_token"], token_type_hint="refresh_token")
        if response.status_code != 200:
            raise ValueError(f"revocation answered {response.status_code} {response.text}")
        # The revoked refresh token no longer refreshes (RFC 7009 §2.1).
        after = session.post(metadata["token_endpoint"], data={"grant_type": "refresh_token", "refresh_token": session.token["refresh_token"], "scope": scope}, auth=(client_id, client_secret), withhold_token=True, timeout=10)
        if after.status_code != 400 or after.json().get("error") != "invalid_grant":
            raise ValueError(f"a revoked refresh token still answered {after.status_code} {after.text}")
        return {"status": response.status_code, "content_type": response.headers.get("content-type"), "after": after.json().get("error")}

    # Each step runs only after the steps it needs worked; a skipped step says which failed.
    plan = (
        ("code exchange with PKCE", exchange, []),
        ("ID token against the JWKS", id_token, ["code exchange with PKCE"]),
        ("userinfo", userinfo, ["ID token against the JWKS"]),
        ("refresh with the scope re-sent", refresh, ["userinfo"]),
        ("revocation", revoke, ["code exchange with PKCE"]),
    )
    for name, fn, needs in plan:
        failed = [s["step"] for s in steps if s["step"] in needs and not s["ok"]]
        if failed:
            steps.append({"step": name, "ok": False, "saw": f"not run: {failed[0]} failed"})
            continue
        step(name, fn)
    emit({"library": f"Authlib {authlib.__version__}", "steps": steps})


if __name__ == "__main__":
    main()
