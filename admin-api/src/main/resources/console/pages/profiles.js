// Delegate Profiles: create and edit (Delegate Requires Approval, Startup Script), delete (primary is protected).

import { h, field, errorBox, dataTable, loader } from '../dom.js';
import { get, post, put, del, seg } from '../api.js';
import { formDialog, confirmAction } from '../dialogs.js';

export function profilesPage(ctx) {
  const base = `/v1/accounts/${seg(ctx.acc)}/profiles`;
  const error = errorBox();
  const table = dataTable('Delegate Profiles', [
    { label: 'Name', cell: (p) => p.name },
    { label: 'Delegate Requires Approval', cell: (p) => (p.approvalRequired ? 'Yes' : 'No') },
    { label: 'Startup Script', cell: (p) => (p.startupScript ? h('pre', { class: 'script' }, p.startupScript) : '\u2014') },
    {
      label: 'Actions',
      cell: (p) => h('span', { class: 'row-actions' },
        h('button', { type: 'button', 'data-key': `edit:${p.name}`, 'aria-label': `Edit ${p.name}`, onclick: () => edit(p) }, 'Edit'),
        p.name === 'primary'
          ? h('span', { class: 'hint' }, 'Protected: every account keeps its primary profile, the default of delegates that name none.')
          : h('button', { type: 'button', class: 'danger', 'data-key': `delete:${p.name}`, 'aria-label': `Delete ${p.name}`, onclick: () => remove(p) }, 'Delete')),
    },
  ], 'No profiles.');

  const refresh = loader(table, error, async () => (await get(base)).items);

  function form(profile) {
    const name = field('Name', h('input', { type: 'text', required: true, autocomplete: 'off', value: profile ? profile.name : '', readonly: profile ? true : null }));
    const script = field('Startup Script', h('textarea', { rows: 8, spellcheck: 'false' }, profile && profile.startupScript ? profile.startupScript : ''),
      'Optional. Sent to delegates of this profile in their welcome.');
    const approval = field('Delegate Requires Approval', h('input', { type: 'checkbox', checked: profile ? profile.approvalRequired : false }),
      'Applies to delegates that register from now on; delegates already registered are not affected.');
    formDialog({
      title: profile ? `Edit Delegate Profile ${profile.name}` : 'Add Delegate Profile',
      fields: [name.row, script.row, approval.row],
      submitLabel: 'Submit',
      submit: async () => {
        const text = script.input.value;
        if (profile) {
          await put(`${base}/${seg(profile.name)}`, { approvalRequired: approval.input.checked, startupScript: text === '' ? null : text });
          ctx.notify(`Profile ${profile.name} saved.`);
        } else {
          const body = { name: name.input.value.trim(), approvalRequired: approval.input.checked };
          if (text !== '') body.startupScript = text;
          await post(base, body);
          ctx.notify(`Profile ${body.name} created.`);
        }
        refresh();
      },
    });
  }
  const edit = (p) => form(p);

  function remove(p) {
    confirmAction({
      title: `Delete profile ${p.name}?`,
      message: ['Delegates that name this profile are refused from then on.'],
      confirmLabel: 'Delete',
      danger: true,
      run: async () => {
        await del(`${base}/${seg(p.name)}`);
        ctx.notify(`Profile ${p.name} deleted.`);
        refresh();
      },
    });
  }

  const node = h('section', {},
    h('div', { class: 'page-head' }, h('h1', {}, 'Delegate Profiles'),
      h('button', { type: 'button', class: 'primary', onclick: () => form(null) }, 'Add Delegate Profile')),
    error.el, table.table);
  return { node, refresh };
}
