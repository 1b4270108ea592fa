import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The real server entry point running in a child process, as `npm start` runs it. */
export interface ServerProcess {
  child: ChildProcess;
  /** The GraphQL URL it printed at startup. */
  url: string;
  output: () => string;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** How `npm start` runs the server from source. */
export const FROM_SOURCE = ['--import', 'tsx', 'src/main.ts'];

/**
 * Starts the server with this environment (from this checkout, or from
 * another one at `cwd`) and waits until it serves, or rejects with its output.
 */
export function startProcess(
  env: Record<string, string | undefined>,
  nodeArgs = FROM_SOURCE,
  cwd = ROOT,
  { keepOutput = true } = {},
): Promise<ServerProcess> {
  const child = spawn(process.execPath, nodeArgs, {
    cwd,
    env: { ...process.env, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let serving = false;
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (serving) return;
      const match = /serving GraphQL and GraphiQL at (\S+)/.exec(output);
      if (match) {
        serving = true;
        // A benchmark's server logs a line per request: read and dropped, not kept.
        if (!keepOutput) {
          child.stdout!.off('data', onData);
          child.stdout!.resume();
        }
        resolve({
          child,
          url: match[1]!,
          output: () => output,
          stop: (signal = 'SIGTERM') => {
            child.kill(signal);
            return exited;
          },
        });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    void exited.then((code) =>
      reject(new Error(`server exited with ${code} before serving:\n${output}`)),
    );
  });
}

/** Runs the entry point to its exit and gives its exit code and output. */
export async function runProcess(
  env: Record<string, string | undefined>,
): Promise<{ code: number | null; output: string }> {
  try {
    const server = await startProcess(env);
    const code = await server.stop();
    return { code, output: server.output() };
  } catch (error) {
    const output = (error as Error).message;
    return { code: Number(/exited with (\d+)/.exec(output)?.[1] ?? NaN), output };
  }
}
