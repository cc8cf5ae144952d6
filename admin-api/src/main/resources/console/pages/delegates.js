// Delegates of an account: status (Connected / Disconnected / Pending Approval), instances, Approve / Reject /
// Delete, bulk approval by token or profile, and Send Message.

import { h, field, errorBox, when, dataTable, loader } from '../dom.js';
import { get, post, del, seg } from '../api.js';
import { formDialog, confirmAction } from '../dialogs.js';

export function delegatesPage(ctx) {
  const base = `/v1/accounts/${seg(ctx.acc)}/delegates`;
  const error = errorBox();
  const expanded = new Set();
  let current = [];
  const status = h('select', {}, h('option', { value: '' }, 'All'), h('option', { value: 'ACTIVE' }, 'Active'),
    h('option', { value: 'PENDING_APPROVAL' }, 'Pending Approval'));

  const statusCell = (d) => {
    if (d.status !== 'PENDING_APPROVAL') {
      return h('span', { class: `badge ${d.connected ? 'connected' : 'disconnected'}` }, d.connected ? 'Connected' : 'Disconnected');
    }
    const open = expanded.has(d.id);
    return h('div', { class: 'pending' },
      h('button', {
        type: 'button', class: 'badge pending', 'aria-expanded': String(open), 'data-key': `pending:${d.id}`,
        'aria-label': `Pending Approval: ${d.name}`,
        onclick: () => {
          if (open) expanded.delete(d.id); else expanded.add(d.id);
          table.update(current, [...expanded].join());
        },
      }, 'Pending Approval'),
      open ? h('span', { class: 'choice' },
        h('button', { type: 'button', class: 'primary', 'data-key': `approve:${d.id}`, 'aria-label': `Approve ${d.name}`, onclick: () => approve(d) }, 'Approve'),
        h('button', { type: 'button', class: 'danger', 'data-key': `reject:${d.id}`, 'aria-label': `Reject ${d.name}`, onclick: () => reject(d) }, 'Reject')) : null);
  };

  const table = dataTable('Delegates', [
    { label: 'Name', cell: (d) => d.name },
    { label: 'Type', cell: (d) => d.type },
    { label: 'Profile', cell: (d) => d.profile },
    { label: 'Token', cell: (d) => d.tokenName ?? '\u2014' },
    { label: 'Status', cell: statusCell },
    {
      label: 'Instances',
      cell: (d) => (d.instances && d.instances.length
        ? h('ul', { class: 'instances' }, d.instances.map((i) => h('li', {},
          h('span', { class: 'mono' }, i.instance), ' on ', h('span', { class: 'mono' }, i.node),
          h('span', { class: 'hint' }, ` last heartbeat ${when(i.lastHeartbeatAt)}`))))
        : '\u2014'),
    },
    {
      label: 'Actions',
      cell: (d) => h('span', { class: 'row-actions' },
        d.status === 'ACTIVE' && d.connected
          ? h('button', { type: 'button', 'data-key': `msg:${d.id}`, 'aria-label': `Send Message to ${d.name}`, onclick: () => sendMessage(d) }, 'Send Message')
          : null,
        h('button', { type: 'button', class: 'danger', 'data-key': `delete:${d.id}`, 'aria-label': `Delete ${d.name}`, onclick: () => remove(d) }, 'Delete')),
    },
  ], 'No delegates yet. Install one with a token from the Tokens page.');

  const shown = {
    update(items) {
      current = items;
      table.update(items, [...expanded].join());
    },
  };
  const refresh = loader(shown, error, async () => (await get(status.value ? `${base}?status=${status.value}` : base)).items);

  async function approve(d) {
    try {
      await post(`${base}/${seg(d.id)}/approve`);
      expanded.delete(d.id);
      ctx.notify(`Delegate ${d.name} approved: it is active now.`);
      refresh();
    } catch (e) {
      error.show(e);
    }
  }

  function reject(d) {
    confirmAction({
      title: `Reject delegate ${d.name}?`,
      message: [h('p', { class: 'warning' }, 'Be very careful rejecting a delegate. If you reject one by accident, you must install a new delegate under another name.'),
        'Its connections close now and the broker refuses this name in this account from then on. The delegate is still running in your infrastructure; stop it there.'],
      confirmLabel: 'Reject',
      danger: true,
      run: async () => {
        await post(`${base}/${seg(d.id)}/reject`);
        expanded.delete(d.id);
        ctx.notify(`Delegate ${d.name} rejected.`);
        refresh();
      },
    });
  }

  function remove(d) {
    confirmAction({
      title: `Delete delegate ${d.name}?`,
      message: ['This removes the delegate from the list and closes its connections. You still need to stop and delete it in your infrastructure: if it connects again, it registers anew.'],
      confirmLabel: 'Delete',
      danger: true,
      run: async () => {
        await del(`${base}/${seg(d.id)}`);
        ctx.notify(`Delegate ${d.name} deleted.`);
        refresh();
      },
    });
  }

  function sendMessage(d) {
    const payload = field('Payload (JSON object)', h('textarea', { rows: 6, spellcheck: 'false' }, '{\n  "hello": "world"\n}'));
    formDialog({
      title: `Send Message to ${d.name}`,
      fields: [payload.row],
      submitLabel: 'Send',
      submit: async () => {
        let value;
        try {
          value = JSON.parse(payload.input.value);
        } catch (e) {
          throw new Error(`The payload is not valid JSON: ${e.message}`);
        }
        const r = await post(`${base}/${seg(d.id)}/messages`, { payload: value });
        return h('p', { class: 'result' }, `Message ${r.id} delivered to ${r.delivered} ${r.delivered === 1 ? 'instance' : 'instances'}.`);
      },
    });
  }

  const kind = h('select', {}, h('option', { value: 'token' }, 'Token'), h('option', { value: 'profile' }, 'Profile'));
  const bulkName = h('input', { type: 'text', autocomplete: 'off' });
  const bulkError = errorBox();
  const bulk = h('form', { class: 'filters', 'aria-label': 'Approve in bulk' },
    field('Approve every pending delegate of', kind).row, field('Name', bulkName).row,
    h('button', { type: 'submit' }, 'Approve all'), bulkError.el);
  bulk.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    bulkError.clear();
    try {
      const r = await post(`${base}/approve`, { [kind.value]: bulkName.value.trim() });
      ctx.notify(`Approved ${r.approved.length} ${r.approved.length === 1 ? 'delegate' : 'delegates'}.`);
      refresh();
    } catch (e) {
      bulkError.show(e);
    }
  });

  status.addEventListener('change', refresh);
  const node = h('section', {},
    h('div', { class: 'page-head' }, h('h1', {}, 'Delegates')),
    h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter delegates', onsubmit: (e) => e.preventDefault() },
      field('Status', status).row),
    error.el, table.table,
    h('h2', {}, 'Bulk approval'), bulk);
  return { node, refresh };
}
