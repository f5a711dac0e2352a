/**
 * PKCE (RFC 7636, S256 only) of every client, confidential ones too (RFC 9700 §2.1.1; OAuth 2.1):
 * it binds an authorization code to the browser that asked for it, so a code that leaks (logs,
 * Referer, a mix-up) or is injected into another session is worth nothing. An operator's legacy
 * relying party that cannot send it is exempted with `"require_pkce": false` in CLIENTS_FILE
 * (docs/oidc-features.md); never a public client, never a self-registered one.
 */

/** oidc-provider's `pkce.required`: whether this client's authorization requests must carry PKCE. */
export function pkceRequired(client: { clientAuthMethod?: string | undefined; [key: string]: unknown }): boolean {
  return client.clientAuthMethod === 'none' || client.require_pkce !== false;
}

/**
 * The problem with a `require_pkce` value, if any (for extraClientMetadata's validator).
 * `registered`: the metadata comes from dynamic registration (RFC 7591) or its updates.
 */
export function requirePkceProblem(
  key: string,
  value: unknown,
  metadata: Record<string, unknown>,
  registered: boolean,
): string | undefined {
  if (key !== 'require_pkce' || value === undefined) return undefined;
  if (typeof value !== 'boolean') return 'require_pkce must be a boolean';
  if (value) return undefined;
  if (metadata.token_endpoint_auth_method === 'none')
    return 'require_pkce cannot be false for a public client (token_endpoint_auth_method "none"): PKCE is all that binds its code';
  if (registered) return 'require_pkce: false cannot be registered dynamically; the operator sets it for a legacy client in CLIENTS_FILE';
  return undefined;
}
