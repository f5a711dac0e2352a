// Progressive enhancement for the sign-in pages; everything works without it.
// Loaded from /static (no inline script: the Content-Security-Policy forbids it).
'use strict';

// A touch-only screen is a phone or tablet even when its browser did not say so in the request.
if (window.matchMedia?.('(hover: none) and (pointer: coarse)').matches) document.body.classList.add('phone');

document.querySelectorAll('[data-copy]').forEach((button) => {
  button.addEventListener('click', async () => {
    const source = document.getElementById(button.getAttribute('data-copy'));
    if (!source || !navigator.clipboard) return;
    await navigator.clipboard.writeText(source.textContent.trim());
    const label = button.textContent;
    button.textContent = button.getAttribute('data-copied');
    setTimeout(() => {
      button.textContent = label;
    }, 1500);
  });
});

// "Paste signature": where the browser lets a page read the clipboard (after the person's tap).
if (navigator.clipboard?.readText) {
  document.querySelectorAll('[data-paste]').forEach((button) => {
    const target = document.getElementById(button.getAttribute('data-paste'));
    if (!target) return;
    button.hidden = false;
    button.addEventListener('click', async () => {
      try {
        target.value = (await navigator.clipboard.readText()).trim();
      } catch {
        target.focus(); // Refused: the person pastes by hand.
      }
    });
  });
}

// "Expires in 4:32" instead of a clock time in UTC, which a person has to convert.
document.querySelectorAll('[data-expires-at]').forEach((element) => {
  const end = Date.parse(element.getAttribute('data-expires-at'));
  const label = element.getAttribute('data-expires-label');
  if (Number.isNaN(end) || !label) return;
  const tick = () => {
    const left = Math.max(0, Math.round((end - Date.now()) / 1000));
    element.textContent = label.replace('{time}', `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}`);
    if (left > 0) setTimeout(tick, 1000 - (Date.now() % 1000));
    else if (element.hasAttribute('data-go-at-end')) window.location.assign(element.getAttribute('data-go-at-end'));
  };
  tick();
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
  document.querySelectorAll('form').forEach((form) => {
    form.addEventListener('submit', () => {
      done = true;
      if (source) source.close();
    });
  });

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
    let wait = 1000;
    try {
      const response = await fetch(statusUrl, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
      if (response.ok) react((await response.json()).state);
      // Over the status-poll limit: wait as long as the server asks.
      else if (response.status === 429) wait = Math.max(1, Number(response.headers.get('retry-after')) || 5) * 1000;
    } catch {
      // A network hiccup: the next tick tries again.
    }
    if (!done) setTimeout(poll, wait);
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
      // A refused stream (429: too many open from this network) is closed for good at once;
      // a dropped one reconnects by itself, up to three times.
      if ((failures >= 3 || source.readyState === EventSource.CLOSED) && !done) {
        source.close();
        poll();
      }
    });
  } else {
    setTimeout(poll, 1000);
  }
}
