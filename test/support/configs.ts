import { createHash } from 'node:crypto';

/** A diff ID made up from a name, for configs built in tests. */
export function diffId(name: string): string {
  return `sha256:${createHash('sha256').update(name).digest('hex')}`;
}

/** A small valid config with these layers; `note` makes otherwise equal configs differ. */
export function makeConfig(layers: string[], note = ''): string {
  return JSON.stringify({
    architecture: 'amd64',
    os: 'linux',
    created: '2024-05-01T12:00:00Z',
    comment: note,
    config: { Env: ['PATH=/usr/bin'], Cmd: ['sh'] },
    rootfs: { type: 'layers', diff_ids: layers.map(diffId) },
    history: layers.map((layer) => ({ created_by: `ADD ${layer} /` })),
  });
}
