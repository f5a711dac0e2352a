/**
 * A worker thread that checks signatures (src/evrmore/verifier.ts): key recovery is ~0.25 ms of
 * CPU that would otherwise stop the event loop, and every other request, for its duration.
 */
import { parentPort } from 'node:worker_threads';
import { verifyMessage } from './message.js';
import { NETWORKS } from './network.js';
import { toReply, type VerifyRequest } from './verifier.js';

parentPort!.on('message', (request: VerifyRequest) => {
  parentPort!.postMessage(toReply(request.id, verifyMessage(request.address, request.message, request.signature, NETWORKS[request.network])));
});
