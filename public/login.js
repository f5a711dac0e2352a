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

// The desktop page learns that the phone signed, and continues by itself: server-sent
// events first, polling once a second when the stream is not available.
const block = document.querySelector('[data-status-url]');
const continueForm = document.getElementById('continue-form');
if (block && continueForm) {
  const statusUrl = block.getAttribute('data-status-url');
  const eventsUrl = block.getAttribute('data-events-url');
  const waiting = document.getElementById('waiting');
  if (waiting) waiting.hidden = false;
  let done = false;
  let source;
  // Once the person submits a form here (their own signature, a new challenge, cancel), the
  // page is leaving: a "redeemed" event must not reload it in the middle of that navigation.
  document.querySelectorAll('form').forEach((form) => form.addEventListener('submit', () => {
    done = true;
    if (source) source.close();
  }));

  const react = (state) => {
    if (done || state === 'pending') return;
    done = true;
    if (state === 'signed') {
      continueForm.submit();
    } else {
      // Expired, dead or already used: the page then offers a new challenge.
      window.location.reload();
    }
  };

  const poll = async () => {
    if (done) return;
    try {
      const response = await fetch(statusUrl, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
      if (response.ok) react((await response.json()).state);
    } catch {
      // A network hiccup: the next tick tries again.
    }
    if (!done) setTimeout(poll, 1000);
  };

  if (eventsUrl && 'EventSource' in window) {
    source = new EventSource(eventsUrl);
    let failures = 0;
    source.addEventListener('state', (event) => {
      failures = 0;
      const { state } = JSON.parse(event.data);
      if (state !== 'pending') source.close();
      react(state);
    });
    source.addEventListener('error', () => {
      failures += 1;
      if (failures >= 3 && !done) {
        source.close();
        poll();
      }
    });
  } else {
    setTimeout(poll, 1000);
  }
}
