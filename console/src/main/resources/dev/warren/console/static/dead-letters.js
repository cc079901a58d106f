'use strict';
/* Dead letters: a filtered, paged table of <queue>.dlq; a detail view; replay one or the selected ones
   (shown only when the API says the user may). */
(() => {
  const { api, el, message } = Warren;
  const main = document.getElementById('main');
  const params = new URLSearchParams(location.search);
  const input = (name, label, type) => el('label', {}, label,
    el('input', { id: 'filter-' + name, name, type: type || 'text', value: params.get(name) || '' }));
  const queue = el('select', { id: 'queue', name: 'queue' });
  const form = el('form', { class: 'filters', id: 'filters' }, el('label', {}, 'work queue', queue),
    input('type', 'task type'), input('error', 'error class'), input('text', 'text in error or payload'),
    input('since', 'failed since (ISO instant)'), input('until', 'failed before (ISO instant)'),
    el('button', { type: 'submit', id: 'apply-filter' }, 'Filter'));
  const summary = el('p', { id: 'summary' });
  const actions = el('div', { id: 'actions' });
  const table = el('table', { id: 'dead-letters' });
  const pager = el('div', { id: 'pager' });
  const detail = el('section', { id: 'detail', hidden: true });
  const held = el('p', { class: 'hint', id: 'held-hint' }, 'Reading a dead-letter queue holds its letters for a moment:'
    + ' a letter another reader (another console, a dlq command) holds right now is not listed; reload to see it.');
  main.append(form, summary, actions, table, pager, held, detail);
  let page = Number(params.get('page') || 1);
  let mayReplay = false;
  let mayPurge = false;

  function filters() {
    const query = new URLSearchParams({ queue: queue.value, page, size: 50 });
    ['type', 'error', 'text', 'since', 'until'].forEach(name => {
      const value = document.getElementById('filter-' + name).value.trim();
      if (value) query.set(name, value);
    });
    return query;
  }

  async function replay(ids, to) {
    try {
      const result = to ? await api('POST', '/api/dead-letters/move', { queue: queue.value, ids, to })
        : await api('POST', '/api/dead-letters/replay', { queue: queue.value, ids });
      message((to ? 'moved ' : 'replayed ') + result.replayed + ' of ' + result.requested + ' to ' + result.to);
      detail.hidden = true;
      await load();
    } catch (error) {
      message('replay refused: ' + error.message, 'error');
    }
  }

  const bulk = el('span', { id: 'bulk-progress' });
  let watching = null;

  async function replayMatching(matching, total) {
    const rate = prompt('Replay all ' + total + ' matching dead letters to ' + queue.value
      + ', each confirmed before its original is removed. Messages per second:', '50');
    if (rate === null) return;
    matching.set('rate', rate);
    try {
      await api('POST', '/api/dead-letters/replay-matching?' + matching);
      watchBulk();
    } catch (error) {
      message('bulk replay refused: ' + error.message, 'error');
    }
  }

  function watchBulk() {
    clearInterval(watching);
    const update = async () => {
      const progress = await api('GET', '/api/dead-letters/replay-matching');
      const running = progress.state === 'RUNNING';
      bulk.replaceChildren(' bulk replay of ' + progress.queue + ': ' + progress.replayed + ' replayed, '
        + progress.state.toLowerCase() + (progress.error ? ' (' + progress.error + ')' : '') + ' ',
        running ? el('button', { id: 'cancel-replay', onclick: () => api('DELETE', '/api/dead-letters/replay-matching') },
          'Cancel') : '');
      if (!running) {
        clearInterval(watching);
        load().catch(error => message(error.message, 'error'));
      }
    };
    watching = setInterval(() => update().catch(error => message(error.message, 'error')), 1000);
    update().catch(error => message(error.message, 'error'));
  }

  /** Purges the chosen ids, or (ids null) every letter the filter matches, after a typed confirmation. */
  async function purge(ids, matching, count) {
    const dlq = queue.value + '.dlq';
    const typed = prompt('Purge ' + count + ' dead letter(s) from ' + dlq + ' for good? Type ' + dlq + ' to confirm:');
    if (typed === null) return;
    try {
      const body = ids ? { ids, confirm: typed } : { confirm: typed };
      const result = await api('POST', '/api/dead-letters/purge?' + matching, body);
      message('purged ' + result.purged + ' from ' + dlq);
      detail.hidden = true;
      await load();
    } catch (error) {
      message('purge refused: ' + error.message, 'error');
    }
  }

  async function show(id) {
    const letter = await api('GET', '/api/dead-letters/' + encodeURIComponent(id) + '?queue=' + encodeURIComponent(queue.value));
    const headers = Object.entries(letter.headers).map(([name, value]) =>
      el('tr', {}, el('th', {}, name), el('td', {}, typeof value === 'string' ? value : JSON.stringify(value))));
    const properties = Object.entries(letter.properties).map(([name, value]) =>
      el('tr', {}, el('th', {}, name), el('td', {}, String(value))));
    detail.replaceChildren(el('h2', {}, 'Dead letter ', el('code', { id: 'detail-id' }, letter.letter.id)),
      el('p', {}, letter.letter.type + ' failed on attempt ' + letter.letter.attempts + ' at ' + (letter.letter.failed_at || '?')
        + ': ', el('strong', { id: 'detail-error' }, (letter.letter.error || '') + ': ' + (letter.letter.error_message || ''))),
      mayReplay ? el('button', { id: 'detail-replay', onclick: () => replay([letter.letter.id]) }, 'Replay') : null,
      el('p', {}, el('a', { id: 'detail-timeline', href: '/tasks/' + encodeURIComponent(letter.letter.id) },
        'Timeline of this task (from the task events)')),
      el('h3', {}, 'Payload' + (letter.whole ? '' : ' (first bytes of ' + letter.body_bytes + ')')),
      el('pre', { id: 'detail-payload' }, letter.payload),
      el('h3', {}, 'Stack trace'), el('pre', { id: 'detail-stack' }, letter.stack_trace || '(none recorded)'),
      el('h3', {}, 'Properties'), el('table', {}, el('tbody', {}, properties)),
      el('h3', {}, 'Headers'), el('table', { id: 'detail-headers' }, el('tbody', {}, headers)));
    detail.hidden = false;
    detail.scrollIntoView();
  }

  let loads = 0;

  async function load() {
    if (!queue.value) {
      summary.textContent = 'No Warren work queue with a dead-letter queue in this vhost.';
      return;
    }
    const query = filters();
    history.replaceState(null, '', '?' + query);
    // A list asked for earlier (the page's first load, another filter) may answer later than this
    // one: only the newest request's answer is shown.
    const generation = ++loads;
    const result = await api('GET', '/api/dead-letters?' + query);
    if (generation !== loads) return;
    mayReplay = result.may_replay;
    mayPurge = result.may_purge;
    summary.textContent = result.total + ' matching in ' + result.queue + '.dlq'
      + (mayReplay ? '' : ' (you may read them; replay needs write permission on amq.default)');
    const selectable = mayReplay || mayPurge;
    const head = el('tr', {}, selectable ? el('th', {}, '') : null,
      ['id', 'type', 'error', 'message', 'attempts', 'failed at'].map(name => el('th', {}, name)),
      mayReplay ? el('th', {}, '') : null);
    const rows = result.items.map(item => el('tr', { 'data-id': item.id },
      selectable ? el('td', {}, el('input', { type: 'checkbox', class: 'select', value: item.id })) : null,
      el('td', {}, el('a', { href: '#', class: 'open-letter', onclick: event => { event.preventDefault(); show(item.id); } }, item.id)),
      el('td', {}, item.type), el('td', {}, item.error), el('td', {}, item.error_message),
      el('td', { class: 'num' }, item.attempts), el('td', {}, item.failed_at),
      mayReplay ? el('td', {}, el('button', { class: 'replay', onclick: () => replay([item.id]) }, 'Replay')) : null));
    table.replaceChildren(el('thead', {}, head), el('tbody', {}, rows));
    const matching = filters();
    matching.delete('page');
    matching.delete('size');
    actions.replaceChildren(
      el('a', { id: 'export', href: '/api/dead-letters/export?' + matching }, 'Export matching as JSON lines'),
      mayReplay ? ' ' : '',
      mayReplay ? el('button', { id: 'replay-selected', onclick: () => {
        const ids = [...table.querySelectorAll('input.select:checked')].map(box => box.value);
        if (ids.length) replay(ids); else message('select dead letters first', 'error');
      } }, 'Replay selected') : '',
      mayReplay ? ' ' : '',
      mayReplay ? el('button', { id: 'move-selected', onclick: () => {
        const ids = [...table.querySelectorAll('input.select:checked')].map(box => box.value);
        if (!ids.length) return message('select dead letters first', 'error');
        const to = prompt('Move ' + ids.length + ' dead letter(s) to which existing queue?');
        if (to) replay(ids, to.trim());
      } }, 'Move selected to…') : '',
      mayPurge ? ' ' : '',
      mayPurge ? el('button', { id: 'purge-selected', onclick: () => {
        const ids = [...table.querySelectorAll('input.select:checked')].map(box => box.value);
        if (ids.length) purge(ids, new URLSearchParams({ queue: queue.value }), ids.length);
        else message('select dead letters first', 'error');
      } }, 'Purge selected') : '',
      mayPurge && result.total ? el('button', { id: 'purge-matching', onclick: () => purge(null, matching, result.total) },
        'Purge all ' + result.total + ' matching') : '',
      mayReplay && result.total ? el('button', { id: 'replay-matching', onclick: () => replayMatching(matching, result.total) },
        'Replay all ' + result.total + ' matching') : '',
      bulk);
    const pages = Math.max(1, Math.ceil(result.total / result.size));
    pager.replaceChildren(el('button', { id: 'previous-page', disabled: page <= 1, onclick: () => { page--; load(); } }, '‹ previous'),
      ' page ' + page + ' of ' + pages + ' ',
      el('button', { id: 'next-page', disabled: page >= pages, onclick: () => { page++; load(); } }, 'next ›'));
  }

  form.addEventListener('submit', event => {
    event.preventDefault();
    page = 1;
    load().catch(error => message(error.message, 'error'));
  });

  api('GET', '/api/overview').then(overview => {
    overview.queues.forEach(group => queue.append(el('option', { value: group.work.name }, group.work.name)));
    if (params.get('queue')) queue.value = params.get('queue');
    queue.addEventListener('change', () => { page = 1; load().catch(error => message(error.message, 'error')); });
    return load();
  }).catch(error => message(error.message, 'error'));
})();
