// Whether this page still has its opener: a popup sign-in reports back through it (the library
// falls back to a BroadcastChannel only when it is gone).
localStorage.setItem('callbackHadOpener', String(window.opener !== null));
new oidc.UserManager(window.SPA_SETTINGS).signinCallback().then(
  () => {
    document.getElementById('status').textContent = 'signed in';
  },
  (error) => {
    document.getElementById('status').textContent = `error: ${error.message}`;
  },
);
