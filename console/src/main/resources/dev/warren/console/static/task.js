'use strict';
/* Task lookup: a message id's timeline from the task-event stream (published, attempts, retries, dead-lettered, replayed). */
(() => {
  const { api, el, message } = Warren;
  const main = document.getElementById('main');
  const prefix = '/tasks/';
  const asked = new URLSearchParams(location.search).get('id');
  if (location.pathname === '/tasks' && asked) {
    location.replace(prefix + encodeURIComponent(asked.trim()));
    return;
  }
  const id = location.pathname.startsWith(prefix) ? decodeURIComponent(location.pathname.substring(prefix.length)) : '';
  const idInput = el('input', { name: 'id', id: 'lookup-id', size: 40, value: id, placeholder: 'message id', required: true });
  const since = el('select', { id: 'lookup-since' },
    ['1h', '24h', '7d'].map(s => el('option', { value: s, selected: s === '24h' }, 'last ' + s)));
  const form = el('form', { class: 'filters', id: 'lookup-form', onsubmit: event => {
    event.preventDefault();
    location.href = prefix + encodeURIComponent(idInput.value.trim()) + '?since=' + since.value;
  } }, el('label', {}, 'Message id', idInput), el('label', {}, 'Events of the', since), el('button', { type: 'submit' }, 'Show timeline'));
  const heading = el('h2', { id: 'task-heading' });
  const result = el('p', { id: 'task-result' });
  const table = el('table', { id: 'timeline' });
  const status = el('p', { class: 'hint', id: 'lookup-status' });
  main.append(form, heading, result, table, status);
  if (!id) return;
  const chosen = new URLSearchParams(location.search).get('since');
  if (chosen) since.value = chosen;

  const detail = e => [
    e.duration_ms !== undefined ? 'after ' + e.duration_ms + ' ms' : null,
    e.error ? e.error + (e.error_message ? ': ' + e.error_message : '') : null,
    e.retry_delay_ms !== undefined ? 'next attempt in ' + e.retry_delay_ms + ' ms' : null,
    e.reason || null].filter(Boolean).join(' · ');

  async function load() {
    status.textContent = 'Reading the events of the last ' + since.value + '…';
    const data = await api('GET', '/api/tasks/' + encodeURIComponent(id) + '?since=' + encodeURIComponent(since.value));
    heading.replaceChildren('Task ', el('code', { id: 'task-id' }, data.id),
      data.task_type ? ' (' + data.task_type + ', queue ' + data.queue + ')' : '');
    result.textContent = data.result ? 'Result: ' + data.result
      : 'No events for this task in the last ' + data.since + ': not published with --events, not run by a worker'
        + ' with --events, or older than the stream keeps.';
    const head = el('tr', {}, ['at', 'event', 'attempt', 'worker', 'details'].map(name => el('th', {}, name)));
    const rows = data.events.map(e => el('tr', { 'data-event': e.event, class: 'event-' + e.event },
      el('td', {}, e.at), el('td', { class: 'event' }, e.event), el('td', { class: 'num' }, e.attempt),
      el('td', {}, e.worker || ''), el('td', {}, detail(e))));
    table.replaceChildren(el('thead', {}, head), el('tbody', {}, rows));
    status.textContent = data.scanned + ' events read from stream ' + data.stream + ' in ' + data.read_ms + ' ms'
      + (data.complete ? '' : ' (incomplete: the read ran out of time; choose a shorter span)');
  }

  load().catch(error => message(error.message, 'error'));
})();
