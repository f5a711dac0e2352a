import { DEVICE_CODE_GRANT, type ClientMetadata } from '../config/index.js';
import { HELP_OPTION, oneOf, parseOptions, required } from './args.js';
import {
  AUTH_METHODS,
  buildClient,
  checkClientId,
  checkRedirectUri,
  findClient,
  isPublic,
  masked,
  newClientSecret,
  readClientsFile,
  readLogo,
  requireClientsFile,
} from './client-metadata.js';
import { group, PROGRAM, printHelp, type Command } from './command.js';
import { CliError, EXIT_OK, UsageError, type CliContext } from './context.js';
import { resolvePath, toJson, writeSecretFile } from './files.js';
import { formatTable } from './table.js';
import { existsSync } from 'node:fs';

/** Running instances re-read CLIENTS_FILE every CONFIG_WATCH_INTERVAL (src/reload.ts). */
const SERVED_LIVE =
  'Running providers serve the change within seconds (they re-read CLIENTS_FILE every CONFIG_WATCH_INTERVAL, 2 s by default).';

async function save(path: string, clients: ClientMetadata[]): Promise<void> {
  await writeSecretFile(path, toJson(clients), { overwrite: true });
}

function printSecret(ctx: CliContext, id: string, secret: string): void {
  ctx.out(`client_id: ${id}`);
  ctx.out(`client_secret: ${secret}`);
  ctx.err("The secret is shown only this once: put it in the client's configuration now.");
}

const FILE_OPTION = { file: { type: 'string' } } as const;
const ID_OPTION = { id: { type: 'string' } } as const;
const FILE_HELP = '  --file FILE   the clients file (CLIENTS_FILE), a JSON array';
/** Where the server looks for clients when CLIENTS_FILE is not set (README, configuration). */
const DEFAULT_CLIENTS_FILE = 'config/clients.json';
const READ_FILE_HELP = `  --file FILE   the clients file (CLIENTS_FILE), a JSON array; default ${DEFAULT_CLIENTS_FILE} if it exists`;

/** --file, or the server's default clients file when it exists: reading needs no more. */
function fileToRead(ctx: CliContext, file: string | undefined): string {
  if (file !== undefined) return resolvePath(ctx, required(file, '--file FILE'));
  const fallback = resolvePath(ctx, DEFAULT_CLIENTS_FILE);
  if (!existsSync(fallback)) throw new UsageError(`missing --file FILE (and there is no ${DEFAULT_CLIENTS_FILE} here)`);
  return fallback;
}

const addOptions = {
  ...HELP_OPTION,
  ...FILE_OPTION,
  ...ID_OPTION,
  'redirect-uri': { type: 'string', multiple: true },
  'post-logout-redirect-uri': { type: 'string', multiple: true },
  name: { type: 'string' },
  public: { type: 'boolean' },
  'first-party': { type: 'boolean' },
  refresh: { type: 'boolean' },
  'auth-method': { type: 'string' },
  device: { type: 'boolean' },
  logo: { type: 'string' },
  'without-pkce': { type: 'boolean' },
} as const;

const add: Command = {
  name: 'clients add',
  summary: 'register a relying party (prints its secret once)',
  usage: `Usage: ${PROGRAM} clients add --file FILE --id ID --redirect-uri URI [--redirect-uri URI ...]
         [--name NAME] [--logo FILE] [--public] [--first-party] [--refresh]
         [--post-logout-redirect-uri URI ...] [--auth-method ${AUTH_METHODS.join('|')}]
         [--without-pkce]
       ${PROGRAM} clients add --file FILE --id ID --device [--name NAME] [--logo FILE] [--public] [--refresh]

Appends a client to FILE (created with mode 0600 if missing, since it holds secrets). A
confidential client gets a new URL-safe secret, printed once.

Options:
  --file FILE                       the clients file (CLIENTS_FILE), a JSON array
  --id ID                           client_id: 1-128 characters of A-Z a-z 0-9 . _ ~ -
  --redirect-uri URI                where codes are sent; https, or http on localhost,
                                    127.0.0.1 or [::1]; repeat for several
  --name NAME                       the name shown on the sign-in and consent pages
  --logo FILE                       a PNG, JPEG, GIF, WebP or SVG image (at most 64 KiB) shown
                                    beside the name; stored in the file as a data: URI, the
                                    only kind of image the pages' Content-Security-Policy loads
  --device                          a device (TV, console, command line) that signs in with
                                    the device authorization grant (RFC 8628): the person
                                    enters a code at /device; no redirect URI
  --public                          a client that cannot keep a secret (browser or native
                                    app): no secret
  --first-party                     your own application: skips the consent screen
  --refresh                         allow the refresh_token grant (refresh tokens are issued
                                    without prompt=consent, as Grafana and Keycloak expect)
  --post-logout-redirect-uri URI    where RP-initiated logout may return; repeatable
  --auth-method METHOD              client_secret_basic (default) or client_secret_post
                                    (Keycloak's default)
  --without-pkce                    a legacy confidential client that cannot send PKCE
                                    ("require_pkce": false); every other client must
                                    send PKCE (S256)
  -h, --help                        show this help`,
  async run(argv, ctx) {
    const values = parseOptions(argv, addOptions);
    if (values.help) return printHelp(add, ctx);
    const file = resolvePath(ctx, required(values.file, '--file FILE'));
    const id = checkClientId(required(values.id, '--id ID'));
    const device = values.device === true;
    if (device && (values['redirect-uri'] !== undefined || values['post-logout-redirect-uri'] !== undefined)) {
      throw new UsageError(
        'a --device client has no redirect URIs: the person signs in on another screen and the device polls for its tokens',
      );
    }
    if (device && values['first-party'] === true)
      throw new UsageError('--first-party is for your own web applications: a device shows the person what it asks for (consent)');
    const redirectUris = device
      ? []
      : required(values['redirect-uri'], '--redirect-uri URI').map((uri) => checkRedirectUri(uri, '--redirect-uri'));
    const logo = values.logo === undefined ? undefined : await readLogo(resolvePath(ctx, values.logo));
    const postLogoutRedirectUris = (values['post-logout-redirect-uri'] ?? []).map((uri) =>
      checkRedirectUri(uri, '--post-logout-redirect-uri'),
    );
    if (values.public && values['auth-method'] !== undefined)
      throw new UsageError('--auth-method is for confidential clients; a --public client has no secret');
    if ((values.public || device) && values['without-pkce'])
      throw new UsageError(
        "--without-pkce is for legacy confidential web clients; PKCE is all that protects a --public client's codes, and a --device client has none to protect",
      );
    const authMethod = values['auth-method'] === undefined ? undefined : oneOf(values['auth-method'], AUTH_METHODS, '--auth-method');

    const clients = (await readClientsFile(file)) ?? [];
    if (clients.some((c) => c.client_id === id)) throw new CliError(`a client with id "${id}" already exists in ${file}`);
    const { metadata, secret } = buildClient({
      id,
      name: values.name?.trim() || undefined,
      redirectUris,
      postLogoutRedirectUris,
      public: values.public === true,
      firstParty: values['first-party'] === true,
      refresh: values.refresh === true,
      withoutPkce: values['without-pkce'] === true,
      authMethod,
      device,
      logo,
    });
    await save(file, [...clients, metadata]);
    if (secret) {
      printSecret(ctx, id, secret);
    } else {
      ctx.out(`client_id: ${id}`);
    }
    ctx.err(
      `Added ${secret ? `confidential ${device ? 'device ' : ''}client (${String(metadata.token_endpoint_auth_method)})` : `public ${device ? 'device ' : ''}client`} "${id}" to ${file}. ${SERVED_LIVE}`,
    );
    return EXIT_OK;
  },
};

const fileOnlyOptions = { ...HELP_OPTION, ...FILE_OPTION } as const;

const list: Command = {
  name: 'clients list',
  summary: 'show id, name, type and redirect URIs of each client (never secrets)',
  usage: `Usage: ${PROGRAM} clients list [--file FILE]

Options:
${READ_FILE_HELP}
  -h, --help    show this help`,
  async run(argv, ctx) {
    const values = parseOptions(argv, fileOnlyOptions);
    if (values.help) return printHelp(list, ctx);
    const file = fileToRead(ctx, values.file);
    const clients = await requireClientsFile(file);
    if (clients.length === 0) {
      ctx.err(`No clients in ${file}.`);
      return EXIT_OK;
    }
    const rows = clients.map((c) => [
      c.client_id,
      typeof c.client_name === 'string' ? c.client_name : '-',
      `${isPublic(c) ? 'public' : 'confidential'}${Array.isArray(c.grant_types) && c.grant_types.includes(DEVICE_CODE_GRANT) ? ', device' : ''}${c.first_party === true ? ', first-party' : ''}`,
      Array.isArray(c.redirect_uris) ? c.redirect_uris.join(' ') : '-',
    ]);
    ctx.out(formatTable(['ID', 'NAME', 'TYPE', 'REDIRECT URIS'], rows));
    return EXIT_OK;
  },
};

const idOptions = { ...HELP_OPTION, ...FILE_OPTION, ...ID_OPTION } as const;

const show: Command = {
  name: 'clients show',
  summary: "print a client's metadata (secret masked)",
  usage: `Usage: ${PROGRAM} clients show [--file FILE] --id ID

Prints the client's metadata as JSON, with client_secret masked.

Options:
${READ_FILE_HELP}
  --id ID       the client
  -h, --help    show this help`,
  async run(argv, ctx) {
    const values = parseOptions(argv, idOptions);
    if (values.help) return printHelp(show, ctx);
    const file = fileToRead(ctx, values.file);
    const id = required(values.id, '--id ID');
    ctx.out(JSON.stringify(masked(findClient(await requireClientsFile(file), id)), null, 2));
    return EXIT_OK;
  },
};

const remove: Command = {
  name: 'clients remove',
  summary: 'delete a client',
  usage: `Usage: ${PROGRAM} clients remove --file FILE --id ID

Options:
${FILE_HELP}
  --id ID       the client
  -h, --help    show this help`,
  async run(argv, ctx) {
    const values = parseOptions(argv, idOptions);
    if (values.help) return printHelp(remove, ctx);
    const file = resolvePath(ctx, required(values.file, '--file FILE'));
    const id = required(values.id, '--id ID');
    const clients = await requireClientsFile(file);
    const client = findClient(clients, id);
    await save(
      file,
      clients.filter((c) => c !== client),
    );
    ctx.err(`Removed client "${id}" from ${file}. ${SERVED_LIVE}`);
    return EXIT_OK;
  },
};

const rotateSecret: Command = {
  name: 'clients rotate-secret',
  summary: "replace a confidential client's secret (prints it once)",
  usage: `Usage: ${PROGRAM} clients rotate-secret --file FILE --id ID

Gives a confidential client a new secret, printed once. The old secret stops working as soon as
the providers re-read the file (seconds), so update the client's configuration at the same time.

Options:
${FILE_HELP}
  --id ID       the client
  -h, --help    show this help`,
  async run(argv, ctx) {
    const values = parseOptions(argv, idOptions);
    if (values.help) return printHelp(rotateSecret, ctx);
    const file = resolvePath(ctx, required(values.file, '--file FILE'));
    const id = required(values.id, '--id ID');
    const clients = await requireClientsFile(file);
    const client = findClient(clients, id);
    if (isPublic(client)) throw new CliError(`"${id}" is a public client (token_endpoint_auth_method none): it has no secret to rotate`);
    const secret = newClientSecret();
    await save(
      file,
      clients.map((c) => (c === client ? { ...c, client_secret: secret } : c)),
    );
    printSecret(ctx, id, secret);
    ctx.err(SERVED_LIVE);
    return EXIT_OK;
  },
};

export const clientsCommand = group('clients', 'manage the relying parties in the clients file (CLIENTS_FILE)', [
  add,
  list,
  show,
  remove,
  rotateSecret,
]);
