// Install snippets for a new token. Their one source is the reference delegate's install templates
// (delegate/install/** in the repository), which the build copies to /console/install/**; the console
// only fills in the placeholders, as text.

import { h, field, uid } from './dom.js';
import { copyText } from './dialogs.js';

export const TEMPLATES = [
  { type: 'Kubernetes', file: 'kubernetes/statefulset.yaml', how: 'Apply with kubectl apply -f statefulset.yaml (DELEGATE_TOKEN is in the StatefulSet env).' },
  { type: 'Docker', file: 'docker/docker-run.sh', how: 'Run the script (the token is passed as -e DELEGATE_TOKEN=).' },
  { type: 'Docker Compose', file: 'docker/docker-compose.yaml', how: 'Start with docker compose up -d.' },
  { type: 'Helm', file: 'helm/values.yaml', how: 'Install the chart with -f values.yaml (delegateToken:).' },
  { type: 'ECS', file: 'ecs/task-definition.json', how: 'Register the task definition (DELEGATE_TOKEN in the container environment).' },
  { type: 'Shell', file: 'shell/config-delegate.yaml', how: 'Put config-delegate.yaml next to the delegate (delegateToken:).' },
];

const cache = new Map();

async function template(file) {
  if (!cache.has(file)) {
    cache.set(file, fetch(`install/${file}`, { cache: 'no-cache', credentials: 'omit' }).then((r) => {
      if (!r.ok) throw new Error(`install template ${file} is missing (${r.status})`);
      return r.text();
    }).catch((e) => {
      cache.delete(file);
      throw e;
    }));
  }
  return cache.get(file);
}

/** Replaces every {{NAME}} placeholder with its value; unknown placeholders stay visible. */
export function fill(text, values) {
  return text.replace(/\{\{([A-Z_]+)\}\}/g, (m, name) => (name in values ? values[name] : m));
}

/** Default base URL of the delegate port: this host, the contract's default delegate port, same scheme. */
function defaultManager() {
  return `${location.protocol}//${location.hostname}:8080`;
}

/** The install section of the New Token / New Account answer: filled snippets for each delegate type. */
export function installSnippets(accountId, tokenValue) {
  const name = field('Delegate name', h('input', { type: 'text', value: 'delegate-1', autocomplete: 'off' }));
  const manager = field('Manager host and port', h('input', { type: 'text', value: defaultManager(), autocomplete: 'off' }),
    'Base URL of the broker\'s delegate port, as your delegates reach it.');
  const list = h('div', { class: 'snippets' });
  const blocks = TEMPLATES.map((t) => {
    const code = h('code', { 'data-template': t.file }, 'Loading\u2026');
    const status = h('span', { class: 'hint', role: 'status' });
    const copy = h('button', { type: 'button', 'aria-label': `Copy ${t.type} snippet` }, 'Copy');
    copy.addEventListener('click', async () => {
      status.textContent = (await copyText(code.textContent)) ? 'Copied to the clipboard.' : 'Select the text and copy it.';
    });
    const details = h('details', { 'data-type': t.type },
      h('summary', {}, `${t.type} (${t.file.split('/').pop()})`),
      h('p', { class: 'hint' }, t.how),
      h('pre', { tabindex: '0', 'aria-label': `${t.type} snippet` }, code),
      h('div', { class: 'secret-row' }, copy, status));
    list.append(details);
    return { t, code };
  });
  const render = async () => {
    const values = {
      ACCOUNT_ID: accountId,
      DELEGATE_TOKEN: tokenValue,
      MANAGER_HOST_AND_PORT: manager.input.value.trim(),
      DELEGATE_NAME: name.input.value.trim() || 'delegate-1',
    };
    await Promise.all(blocks.map(async ({ t, code }) => {
      try {
        code.textContent = fill(await template(t.file), values);
      } catch (e) {
        code.textContent = e.message;
      }
    }));
  };
  name.input.addEventListener('input', render);
  manager.input.addEventListener('input', render);
  render();
  const headingId = uid('install');
  return h('section', { class: 'install', 'aria-labelledby': headingId },
    h('h3', { id: headingId }, 'Install a delegate with this token'),
    h('div', { class: 'inline-fields' }, name.row, manager.row),
    list);
}
