/**
 * The device authorization grant (RFC 8628) around oidc-provider's own: what it lacks, composed
 * in one place. Wrong user codes are counted (RFC 8628 §5.1, by the hook the caller passes); the
 * user-code form needs its session (device-form-session.ts); devices keep to their polling
 * interval (device-pacing.ts, RFC 8628 §3.5).
 */
import type { Context, Middleware } from 'koa';
import type Provider from 'oidc-provider';
import type { Config } from '../config/index.js';
import { requireDeviceFormSession } from './device-form-session.js';
import { devicePollPacing, type PollPacer } from './device-pacing.js';
import { PROVIDER_ROUTES } from './routes.js';

/** A device code's pace outlives the code by this much, so a late poll still counts as early. */
const PACE_GRACE_SECONDS = 600;

export interface DeviceFlowFeature {
  /** Given to the provider: what to do with each wrong user code. */
  onWrongUserCode?: (ctx: Context) => Promise<void>;
  attach(context: { provider: Provider }): { beforeProvider: Middleware[] };
}

export function deviceFlowFeature(
  config: Pick<Config, 'issuer' | 'protocol'>,
  deps: { pacer: PollPacer; onWrongUserCode?: (ctx: Context) => Promise<void> },
): DeviceFlowFeature {
  return {
    onWrongUserCode: deps.onWrongUserCode,
    attach: ({ provider }) => ({
      beforeProvider: [
        requireDeviceFormSession(provider, PROVIDER_ROUTES.code_verification, config.issuer),
        devicePollPacing(
          deps.pacer,
          { token: PROVIDER_ROUTES.token, deviceAuthorization: PROVIDER_ROUTES.device_authorization },
          config.protocol.deviceCodeTtl + PACE_GRACE_SECONDS,
        ),
      ],
    }),
  };
}
