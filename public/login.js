// Progressive enhancement for the sign-in pages; everything works without it.
// Loaded from /static (no inline script: the Content-Security-Policy forbids it).
'use strict';

document.querySelectorAll('[data-copy]').forEach((button) => {
  button.addEventListener('click', async () => {
    const source = document.getElementById(button.getAttribute('data-copy'));
    if (!source || !navigator.clipboard) return;
    await navigator.clipboard.writeText(source.textContent.trim());
    const label = button.textContent;
    button.textContent = button.getAttribute('data-copied');
    setTimeout(() => { button.textContent = label; }, 1500);
  });
});

// The desktop page learns that the phone signed, and continues by itself.
const block = document.querySelector('[data-status-url]');
const continueForm = document.getElementById('continue-form');
if (block && continueForm) {
  const statusUrl = block.getAttribute('data-status-url');
  const waiting = document.getElementById('waiting');
  if (waiting) waiting.hidden = false;
  let stopped = false;
  const poll = async () => {
    if (stopped) return;
    try {
      const response = await fetch(statusUrl, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
      if (response.ok) {
        const { state } = await response.json();
        if (state === 'signed') {
          stopped = true;
          continueForm.submit();
          return;
        }
        if (state !== 'pending') {
          stopped = true;
          window.location.reload();
          return;
        }
      }
    } catch {
      // Network hiccup: try again on the next tick.
    }
    setTimeout(poll, 1000);
  };
  setTimeout(poll, 1000);
}
