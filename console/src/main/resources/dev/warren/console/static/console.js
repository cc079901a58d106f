'use strict';
/* What every page shares: calling the JSON API (with the CSRF token on state changes), building
   elements without innerHTML, showing messages, polling. */
const Warren = (() => {
  const csrfToken = () => document.querySelector('input[name=csrf]').value;

  async function api(method, path, body) {
    const options = { method, headers: { Accept: 'application/json' }, credentials: 'same-origin' };
    if (method !== 'GET') options.headers['X-CSRF-Token'] = csrfToken();
    if (body !== undefined) {
      options.headers['Content-Type'] = 'application/json';
      options.body = JSON.stringify(body);
    }
    const response = await fetch(path, options);
    if (response.status === 401) {
      location.href = '/sign-in?next=' + encodeURIComponent(location.pathname + location.search);
      throw new Error('signed out');
    }
    const json = await response.json();
    if (!response.ok) {
      const error = new Error(json.error || response.statusText);
      error.status = response.status;
      throw error;
    }
    return json;
  }

  /** el('td', {class: 'num'}, 'text', child...): attributes set one by one, text as text nodes. */
  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    Object.entries(attributes || {}).forEach(([name, value]) => {
      if (value === undefined || value === null || value === false) return;
      if (name.startsWith('on')) node.addEventListener(name.substring(2), value);
      else node.setAttribute(name, value === true ? '' : value);
    });
    children.flat().forEach(child => {
      if (child !== undefined && child !== null) node.append(child instanceof Node ? child : String(child));
    });
    return node;
  }

  function message(text, kind) {
    let box = document.getElementById('message');
    if (!box) {
      box = el('p', { id: 'message' });
      document.getElementById('main').prepend(box);
    }
    box.className = kind || 'notice';
    box.textContent = text;
  }

  function poll(milliseconds, load) {
    const run = () => load().catch(error => message(error.message, 'error'));
    run();
    return setInterval(run, milliseconds);
  }

  const rate = value => (value || 0).toFixed(1) + '/s';

  return { api, el, message, poll, rate };
})();
