// The SPA's one UserManager, with the settings the test serves in /config.js and the library's
// defaults for everything else (state in localStorage, user in sessionStorage, revocation types).
window.mgr = new oidc.UserManager(window.SPA_SETTINGS);
