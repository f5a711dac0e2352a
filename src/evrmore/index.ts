export { NETWORKS, isNetworkName, type EvrmoreNetwork, type NetworkName } from './network.js';
export { EvrmoreError, type EvrmoreErrorCode } from './errors.js';
export { addressFromPublicKey, hash160, parseAddress, type ParsedAddress } from './address.js';
export { magicHash, verifyMessage, type VerifyResult } from './message.js';
export { addressOfWif, decodeWif, encodeWif, generateWif, signMessage, type DecodedWif } from './signer.js';
