/**
 * A client's access rules, read from its metadata (evrmore_required_groups and
 * evrmore_required_tags, defined and checked in src/config/chain-client-rules.ts).
 */
import { REQUIRED_GROUPS, REQUIRED_TAGS } from '../config/chain-client-rules.js';

export interface ClientRules {
  groups: string[];
  tags: string[];
}

/** Reads a client's access rules from its metadata (validated when the client was loaded). */
export function clientRules(client: Record<string, unknown> | undefined): ClientRules {
  const list = (value: unknown) => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);
  return { groups: list(client?.[REQUIRED_GROUPS]), tags: list(client?.[REQUIRED_TAGS]) };
}
