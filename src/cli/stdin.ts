/**
 * Reads standard input up to the first newline. From a terminal it turns echo off, so a key
 * typed or pasted there does not stay on the screen (or in a terminal's scrollback).
 */
import type { Readable } from 'node:stream';

type Input = Readable & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };

export function readFirstLine(input: Input, prompt: (text: string) => void): Promise<string> {
  const terminal = input.isTTY === true && typeof input.setRawMode === 'function';
  if (terminal) {
    prompt('Private key (WIF), then Enter (not echoed): ');
    input.setRawMode!(true);
  }
  return new Promise((resolve, reject) => {
    let text = '';
    const finish = (error?: Error) => {
      input.off('data', onData);
      input.off('end', onEnd);
      input.off('error', onError);
      if (terminal) {
        input.setRawMode!(false);
        prompt('\n');
      }
      // pause() would leave a pipe's handle open until the writer ends; the rest is not ours.
      input.destroy();
      if (error) reject(error);
      else resolve(text);
    };
    const onData = (chunk: Buffer | string) => {
      for (const char of chunk.toString()) {
        // Ctrl-C and Ctrl-D arrive as characters in raw mode.
        if (terminal && char === '\u0003') return finish(new Error('interrupted'));
        if (char === '\n' || char === '\r' || (terminal && char === '\u0004')) return finish();
        if (terminal && (char === '\u007f' || char === '\b')) text = text.slice(0, -1);
        else text += char;
      }
    };
    const onEnd = () => finish();
    const onError = (error: Error) => finish(error);
    input.on('data', onData);
    input.on('end', onEnd);
    input.on('error', onError);
    input.resume();
  });
}
