/**
 * What a feature adds to the product, and how the product puts the features together. Each
 * feature composes itself where it lives (chain/feature.ts, account/feature.ts,
 * demo/feature.ts, oidc/device-flow.ts, interaction/wallet-feature.ts) and returns this shape,
 * or undefined when the configuration turns it off; what only one feature offers (the chain's
 * provider hooks, the device flow's wrong-code counter) the product takes from it by name.
 */
import type { RequestListener } from 'node:http';
import type Router from '@koa/router';
import type { Middleware } from 'koa';
import type Provider from 'oidc-provider';
import type { ClientMetadata } from '../config/index.js';
import type { Views } from '../http/views.js';

export interface Feature {
  /** Built-in clients the provider registers beside the configured ones. */
  clients?: ClientMetadata[];
  /** Its part of the app, once the provider exists. */
  attach?(context: FeatureContext): AttachedFeature;
}

export interface FeatureContext {
  provider: Provider;
  views: Views;
}

export interface AttachedFeature {
  /** Pages and APIs, served beside the sign-in routes (paths of their own). */
  routers?: Router[];
  /** Middleware in front of the mounted provider, around its own endpoints. */
  beforeProvider?: Middleware[];
  /**
   * Receives the app's request handler once the app is built: the account page, a relying party
   * of this very app, calls its token endpoint with it (account/backchannel.ts).
   */
  serve?(listener: RequestListener): void;
  /** Resolves when the feature can serve (readiness, /readyz). */
  ready?(): Promise<void>;
  /** Ends what this assembly of the feature opened. */
  close?(): Promise<void>;
}

/** The features that are on (a feature the configuration turns off is undefined). */
export function featuresOn(features: Array<Feature | undefined>): Feature[] {
  return features.filter((feature): feature is Feature => feature !== undefined);
}

/**
 * The provider's static clients: the configured ones and the features' built-in ones; a
 * built-in client replaces a configured client of the same id (the demo's "demo").
 */
export function staticClients(configured: ClientMetadata[], features: Feature[]): ClientMetadata[] {
  const builtIn = features.flatMap((feature) => feature.clients ?? []);
  const ids = new Set(builtIn.map((client) => client.client_id));
  return [...configured.filter((client) => !ids.has(client.client_id)), ...builtIn];
}

/** Every feature's part of the app, as one. */
export function attachFeatures(features: Feature[], context: FeatureContext): Required<AttachedFeature> {
  const attached = features.map((feature) => feature.attach?.(context) ?? {});
  return {
    routers: attached.flatMap((part) => part.routers ?? []),
    beforeProvider: attached.flatMap((part) => part.beforeProvider ?? []),
    serve: (listener) => {
      for (const part of attached) part.serve?.(listener);
    },
    ready: async () => {
      await Promise.all(attached.map((part) => part.ready?.()));
    },
    close: async () => {
      await Promise.all(attached.map((part) => part.close?.()));
    },
  };
}
