/**
 * Every string a person reads, in one place, so another language is one more file like this
 * (same keys) registered in ./index.ts.
 */
export const en = {
  'app.name': 'Evrmore Accounts',
  'app.tagline': 'Sign in with your Evrmore wallet',

  'login.title': 'Sign in with Evrmore',
  'login.asking': '{client} wants you to sign in.',
  'login.intro': 'Prove that you own an Evrmore address by signing the text below with your wallet. No password, no key leaves your wallet.',
  'login.step.text': '1. Sign this text',
  'login.step.form': '2. Paste your address and the signature',
  'login.copy': 'Copy text',
  'login.copyCommand': 'Copy command',
  'login.copied': 'Copied',
  'login.cli': 'With Evrmore Core (console or evrmore-cli):',
  'login.gui': 'With Evrmore Qt or electrum-evrmore: File / Tools › Sign message, paste the text, choose your address, sign.',
  'login.qr.title': 'Or sign on your phone',
  'login.qr.help': 'Scan this code with your phone, or open the link on the device that holds your wallet.',
  'login.qr.alt': 'QR code for the link {url}',
  'login.expires': 'This text can be signed until {time} (UTC).',
  'login.address': 'Evrmore address',
  'login.signature': 'Signature',
  'login.submit': 'Sign in',
  'login.continue': 'I signed on my phone: continue',
  'login.waiting': 'Waiting for a signature from your phone…',
  'login.newChallenge': 'Get a new text to sign',
  'login.cancel': 'Cancel and go back to {client}',

  'wallet.title': 'Sign in to {client}',
  'wallet.asking': '{client} at {host} asks you to prove that you own an Evrmore address.',
  'wallet.warning': 'Only sign if you started this sign-in yourself, on a screen you trust.',
  'wallet.signed': 'Signed — return to your computer.',
  'wallet.signedDetail': 'The sign-in on your computer continues by itself.',
  'wallet.unusable': 'This sign-in code can no longer be signed (it expired, was used, or had too many wrong tries). Start the sign-in again on your computer and scan the new code.',

  'consent.title': 'Allow {client}?',
  'consent.intro': '{client} asks for access to your Evrmore account {address}.',
  'consent.scopes': 'It will receive:',
  'consent.allow': 'Allow',
  'consent.deny': 'Deny',
  'scope.openid': 'Your account identifier',
  'scope.profile': 'Your Evrmore address as your user name',
  'scope.evrmore': 'Your Evrmore address and network',
  'scope.email': 'An e-mail-style identifier for your address (not a real mailbox)',
  'scope.offline_access': 'Access while you are away (refresh tokens)',

  'denied.title': 'Access not granted',
  'denied.back': 'Return to {client}',

  'logout.title': 'Sign out?',
  'logout.question': 'Do you want to sign out of {host}?',
  'logout.yes': 'Yes, sign me out',
  'logout.no': 'No, stay signed in',
  'logout.done.title': 'Signed out',
  'logout.done': 'You are signed out.',

  'error.title': 'Something is not right',
  'error.back': 'Go back to the application you came from and start the sign-in again.',
  'error.server': 'Something went wrong on our side. Please try again in a moment.',
  'error.session': 'This sign-in has expired or was opened in another browser. Go back to the application and start again.',
  'error.notFound': 'There is nothing at this address.',

  'demo.title': 'Demo relying party',
  'demo.intro': 'This page is a small OpenID Connect client of this provider. Sign in to see the claims it receives.',
  'demo.button': 'Sign in with Evrmore',
  'demo.claims': 'ID token claims',
  'demo.userinfo': 'Userinfo response',
  'demo.again': 'Sign in again',
  'demo.logout': 'Sign out',
} as const;

export type MessageKey = keyof typeof en;
