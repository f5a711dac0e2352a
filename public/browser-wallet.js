// One click with an Evrmore browser wallet (Satori GO and any wallet offering the same
// provider): docs/wallet-protocol.md, "Browser wallets". The wallet injects `window.evrmore`;
// this script asks it to connect and to sign the text shown on the page, puts the address and
// signature it returns into the page's own signature form and submits that form. The server
// checks them exactly as if they had been pasted: nothing the wallet or the page says is trusted.
// Loaded from /static, like login.js (no inline script: the Content-Security-Policy forbids it).
'use strict';

(() => {
  const block = document.getElementById('browser-wallet');
  const form = document.querySelector('form.signature-form');
  const challenge = document.getElementById('challenge');
  if (!block || !form || !challenge) return;
  const button = document.getElementById('browser-wallet-button');
  const status = document.getElementById('browser-wallet-status');
  const hint = document.getElementById('browser-wallet-hint');

  const say = (name, params) => {
    let text = block.getAttribute(`data-${name}`) || '';
    for (const [key, value] of Object.entries(params)) text = text.split(`{${key}}`).join(value);
    return text;
  };

  /** The wallet's own `name` if it gives one, "Satori GO" for Satori GO, else a generic name. */
  const walletName = (provider) => {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it removes
    const CONTROL = /[\u0000-\u001f\u007f]/g;
    const own = typeof provider.name === 'string' ? provider.name.replace(CONTROL, '').trim().slice(0, 40) : '';
    if (own) return own;
    if (provider.isEvrNexus === true) return 'Satori GO';
    return block.getAttribute('data-generic-name') || 'browser wallet';
  };

  /** Errors reach the page as Error objects whose message is a short code, e.g. "user-rejected". */
  const errorCode = (error) => {
    const message = error && typeof error === 'object' && 'message' in error ? error.message : error;
    return String(message || 'unknown-error').slice(0, 80);
  };

  let offered = false;
  let busy = false;

  const signIn = async (provider, wallet) => {
    if (busy) return;
    busy = true;
    button.disabled = true;
    status.className = 'muted';
    status.textContent = say('waiting', { wallet });
    try {
      await provider.connect();
      const signed = await provider.signMessage(challenge.textContent.trim());
      if (!signed || typeof signed.address !== 'string' || typeof signed.signature !== 'string') throw new Error('no-signature');
      form.elements.address.value = signed.address.trim();
      form.elements.signature.value = signed.signature.trim();
      status.textContent = say('sending', { wallet });
      // requestSubmit fires the form's submit event, so login.js stops listening for the phone.
      if (typeof form.requestSubmit === 'function') form.requestSubmit();
      else form.submit();
    } catch (error) {
      const code = errorCode(error);
      status.className = code === 'user-rejected' ? 'muted' : 'error';
      if (code === 'user-rejected') status.textContent = say('rejected', { wallet });
      else if (code === 'approval-already-open') status.textContent = say('busy', { wallet });
      else status.textContent = say('failed', { wallet, reason: code });
      busy = false;
      button.disabled = false;
    }
  };

  const offer = () => {
    const provider = window.evrmore;
    if (offered || !provider || typeof provider.connect !== 'function' || typeof provider.signMessage !== 'function') return;
    offered = true;
    const wallet = walletName(provider);
    button.textContent = say('label', { wallet });
    button.addEventListener('click', () => signIn(provider, wallet));
    block.hidden = false;
    if (hint) hint.hidden = true;
  };

  // The wallet injects its provider as the page loads, before or after this script runs, and
  // announces it with this event.
  offer();
  if (!offered) window.addEventListener('evrmore#initialized', offer);
})();
