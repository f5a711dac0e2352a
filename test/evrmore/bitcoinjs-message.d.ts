/** The parts of bitcoinjs-message 2.2 (no bundled types) that the oracle test uses. */
declare module 'bitcoinjs-message' {
  type Bytes = string | Buffer;
  const bitcoinMessage: {
    magicHash(message: Bytes, messagePrefix?: Bytes): Buffer;
    sign(message: Bytes, privateKey: Buffer, compressed: boolean, messagePrefix?: Bytes): Buffer;
    verify(message: Bytes, address: string, signature: Bytes, messagePrefix?: Bytes): boolean;
  };
  export = bitcoinMessage;
}
