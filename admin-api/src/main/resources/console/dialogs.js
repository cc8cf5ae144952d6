// Modal dialogs on the native <dialog> element: focus moves into the dialog, stays there, and Escape closes it.

import { h, uid, errorBox } from './dom.js';

/** Opens a modal dialog titled `title`; returns {dialog, body, close}. The dialog is removed when closed. */
export function openDialog(title, { wide = false } = {}) {
  const titleId = uid('dlg');
  const body = h('div', { class: 'dialog-body' });
  const dialog = h('dialog', { 'aria-labelledby': titleId, class: wide ? 'wide' : '' }, h('h2', { id: titleId }, title), body);
  document.body.append(dialog);
  dialog.addEventListener('close', () => dialog.remove());
  dialog.showModal();
  return { dialog, body, close: () => dialog.close() };
}

/**
 * Asks to confirm an action. `run` performs it and returns nodes describing the answer (or nothing, which closes
 * the dialog). A refusal is shown in the dialog, which stays open.
 */
export function confirmAction({ title, message, confirmLabel, danger = false, run }) {
  const { body, close } = openDialog(title);
  const error = errorBox();
  const cancel = h('button', { type: 'button', onclick: close }, 'Cancel');
  const confirm = h('button', { type: 'button', class: danger ? 'danger' : 'primary' }, confirmLabel);
  confirm.addEventListener('click', async () => {
    confirm.disabled = true;
    error.clear();
    try {
      const answer = await run();
      if (!answer) {
        close();
        return;
      }
      body.replaceChildren(...[answer].flat(), h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'primary', onclick: close, autofocus: true }, 'Close')));
      body.querySelector('button.primary').focus();
    } catch (e) {
      error.show(e);
      confirm.disabled = false;
    }
  });
  body.append(...[message].flat().map((m) => (m instanceof Node ? m : h('p', {}, m))), error.el,
    h('div', { class: 'actions' }, cancel, confirm));
  cancel.focus();
}

/**
 * A form in a dialog. `fields` are form rows; `submit` gets called with the form and returns nodes to show instead
 * of the form (or nothing to close). On a refusal the form stays, with what was typed, and shows the message.
 */
export function formDialog({ title, fields, submitLabel, submit, wide = false }) {
  const { body, close } = openDialog(title, { wide });
  const error = errorBox();
  const submitButton = h('button', { type: 'submit', class: 'primary' }, submitLabel);
  const form = h('form', { novalidate: true }, fields, error.el,
    h('div', { class: 'actions' }, h('button', { type: 'button', onclick: close }, 'Cancel'), submitButton));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    error.clear();
    submitButton.disabled = true;
    try {
      const answer = await submit(form);
      if (!answer) {
        close();
        return;
      }
      body.replaceChildren(...[answer].flat(), h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'primary close', onclick: close }, 'Close')));
      const first = body.querySelector('input, button');
      if (first) first.focus();
    } catch (e) {
      error.show(e);
      submitButton.disabled = false;
    }
  });
  body.append(form);
  const first = form.querySelector('input, textarea, select');
  if (first) first.focus();
  return { close };
}

/** Copies text to the clipboard; the Clipboard API where allowed, else a selected field and the copy command. */
export async function copyText(text, fallbackInput) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch (e) {
    if (fallbackInput) {
      fallbackInput.select();
      return document.execCommand('copy');
    }
    return false;
  }
}

/**
 * A secret shown once: the value in a read-only field, a Copy button, and the docs' warning that it cannot be
 * retrieved later.
 */
export function secretValue(label, value) {
  const input = h('input', { type: 'text', readonly: true, value, class: 'secret', spellcheck: 'false', autocomplete: 'off' });
  const id = uid('secret');
  input.id = id;
  const status = h('span', { class: 'hint', role: 'status' });
  const copy = h('button', { type: 'button', 'aria-label': `Copy ${label.toLowerCase()}` }, 'Copy');
  copy.addEventListener('click', async () => {
    status.textContent = (await copyText(value, input)) ? 'Copied to the clipboard.' : 'Select the value and copy it.';
  });
  return h('div', { class: 'secret-block' },
    h('label', { for: id }, label),
    h('div', { class: 'secret-row' }, input, copy),
    status,
    h('p', { class: 'warning' }, 'Save this value now. You cannot retrieve it after this: the broker keeps only a one-way hash.'));
}
