import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const DIR = fileURLToPath(new URL('../fixtures/real-configs/', import.meta.url));

/** A config blob from a real image layout; its file name is its own SHA-256. */
export interface RealConfig {
  id: string;
  raw: string;
}

/** All 31 real configs, in file-name order. */
export const realConfigs: RealConfig[] = readdirSync(DIR)
  .sort()
  .map((name) => ({ id: `sha256:${name}`, raw: readFileSync(DIR + name, 'utf8') }));

/** The real config whose ID starts with this hex prefix. */
export function realConfig(prefix: string): RealConfig {
  const found = realConfigs.find((config) => config.id.startsWith(`sha256:${prefix}`));
  if (!found) throw new Error(`no real config ${prefix}`);
  return found;
}
