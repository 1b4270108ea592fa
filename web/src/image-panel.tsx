import { type FormEvent, useCallback, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { graphql, type ResultOf } from './graphql.ts';
import { concerns, type StoreEvent, useStoreEvents } from './live.ts';
import { Neighbourhood } from './neighbourhood.tsx';
import { go, hrefOf } from './route.ts';
import { ago } from './time.ts';
import { askForToken } from './token.ts';

const IMAGE = graphql(`
  query ImagePanel($id: String!) {
    image(id: $id) {
      id
      shortId
      created
      author
      os
      architecture
      repoTags
      config
      history { created createdBy comment emptyLayer }
      layers { chainId diffId imageCount }
      ancestors { id shortId repoTags }
      bases { id shortId repoTags }
    }
  }
`);
const TAG = graphql(`
  mutation Tag($image: String!, $reference: String!) {
    tagImage(image: $image, reference: $reference) { image { id repoTags } }
  }
`);
const UNTAG = graphql(`
  mutation Untag($reference: String!) { untagImage(reference: $reference) { image { id repoTags } } }
`);
const DELETE = graphql(`
  mutation Delete($id: String!) { deleteImage(id: $id) { deleted releasedLayers { chainId } } }
`);

type Image = NonNullable<ResultOf<typeof IMAGE>['image']>;

/** Everything about one image, with what can be done to it. */
export function ImagePanel({ id }: { id: string }) {
  const [{ data, fetching, error }, reread] = useQuery({ query: IMAGE, variables: { id } });
  const bases = data?.image?.bases;
  useStoreEvents(
    useCallback(
      (event: StoreEvent) => {
        // A new image built on one of this image's bases may now be its base.
        const between = bases?.some((base) => base.id === event.image?.base?.id) ?? false;
        if (concerns(event, id) || between) reread({ requestPolicy: 'network-only' });
      },
      [id, bases, reread],
    ),
  );
  if (error) return <aside className="panel error">{error.message}</aside>;
  if (!data) return <aside className="panel">{fetching ? 'loading…' : ''}</aside>;
  if (!data.image)
    return (
      <aside className="panel">
        <p>No image {id} (deleted, or never stored).</p>
      </aside>
    );
  const image = data.image;
  return (
    <aside className="panel" aria-label={`Image ${image.shortId}`}>
      <h2>
        <code>{image.shortId}</code> {image.repoTags.join(', ')}
      </h2>
      <Actions image={image} />
      <Chain label="Parents" images={image.ancestors} />
      <Chain label="Bases" images={image.bases} />
      <Summary image={image} />
      <Neighbourhood id={image.id} />
      <History image={image} />
      <Layers image={image} />
    </aside>
  );
}

/** Runs a write; asks for the token when the server wants one, then tries once more. */
async function write<
  T extends {
    error?: { graphQLErrors: { extensions: Record<string, unknown> }[]; message: string };
  },
>(run: () => Promise<T>): Promise<T> {
  const first = await run();
  const code = first.error?.graphQLErrors[0]?.extensions.code;
  if (code === 'UNAUTHENTICATED' && askForToken(first.error!.message)) return run();
  return first;
}

function Actions({ image }: { image: Image }) {
  const [, tag] = useMutation(TAG);
  const [, untag] = useMutation(UNTAG);
  const [, remove] = useMutation(DELETE);
  const [reference, setReference] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const report = (result: { error?: { message: string } }) =>
    setProblem(result.error?.message ?? null);
  const onTag = async (event: FormEvent) => {
    event.preventDefault();
    const result = await write(() => tag({ image: image.id, reference }));
    report(result);
    if (!result.error) setReference('');
  };
  const onDelete = async () => {
    if (!window.confirm(`Delete image ${image.shortId}? Its children stay, without a parent.`))
      return;
    const result = await write(() => remove({ id: image.id }));
    report(result);
    if (!result.error) go({ kind: 'home' });
  };
  return (
    <div className="actions">
      <ul className="tag-list" aria-label="Tags">
        {image.repoTags.map((name) => (
          <li key={name} className="tag">
            {name}{' '}
            <button
              type="button"
              aria-label={`Untag ${name}`}
              onClick={async () => report(await write(() => untag({ reference: name })))}
            >
              ×
            </button>
          </li>
        ))}
      </ul>
      <form onSubmit={onTag}>
        <input
          aria-label="New tag"
          placeholder="name:tag"
          value={reference}
          onChange={(event) => setReference(event.target.value)}
        />
        <button type="submit" disabled={!reference.trim()}>
          Tag
        </button>
        <button type="button" className="danger" onClick={onDelete}>
          Delete…
        </button>
      </form>
      {problem && <p className="error">{problem}</p>}
    </div>
  );
}

function Chain({ label, images }: { label: string; images: Image['ancestors'] }) {
  if (images.length === 0) return null;
  return (
    <nav className="breadcrumbs" aria-label={label}>
      <span>{label}:</span>
      {[...images].reverse().map((up) => (
        <a key={up.id} href={hrefOf({ kind: 'image', id: up.id })}>
          {up.repoTags[0] ?? up.shortId}
        </a>
      ))}
    </nav>
  );
}

function Summary({ image }: { image: Image }) {
  const config = ((image.config as { config?: Record<string, unknown> }).config ?? {}) as {
    Labels?: Record<string, string> | null;
    Env?: string[] | null;
    Entrypoint?: string[] | null;
    Cmd?: string[] | null;
  };
  const rows: [string, string][] = [
    ['ID', image.id],
    ['Platform', [image.os, image.architecture].filter(Boolean).join('/') || '—'],
    ['Created', image.created ? `${ago(image.created)} (${image.created})` : '—'],
    ['Author', image.author ?? '—'],
    ['Entrypoint', JSON.stringify(config.Entrypoint ?? null)],
    ['Cmd', JSON.stringify(config.Cmd ?? null)],
    ...(config.Env ?? []).map((env): [string, string] => ['Env', env]),
    ...Object.entries(config.Labels ?? {}).map(([key, value]): [string, string] => [
      'Label',
      `${key}=${value}`,
    ]),
  ];
  return (
    <dl className="summary">
      {rows.map(([name, value], i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: the rows are positional and never reorder
        <div key={i}>
          <dt>{name}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

function History({ image }: { image: Image }) {
  let layer = 0;
  return (
    <table className="history">
      <caption>History</caption>
      <thead>
        <tr>
          <th>Created</th>
          <th>Step</th>
          <th>Layer</th>
        </tr>
      </thead>
      <tbody>
        {image.history.map((step, i) => {
          const added = step.emptyLayer ? null : image.layers[layer++];
          return (
            // biome-ignore lint/suspicious/noArrayIndexKey: history steps are positional and never reorder
            <tr key={i} className={step.emptyLayer ? 'empty' : ''}>
              <td title={step.created ?? ''}>{ago(step.created)}</td>
              <td>
                <code>{step.createdBy ?? step.comment ?? ''}</code>
              </td>
              <td>{added ? <code>{added.chainId.slice(7, 19)}</code> : <em>empty</em>}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function Layers({ image }: { image: Image }) {
  const most = Math.max(1, ...image.layers.map((layer) => layer.imageCount));
  return (
    <section className="layer-chain" aria-label="Layers">
      <h3>Layers</h3>
      <ol>
        {image.layers.map((layer) => (
          <li key={layer.chainId} title={`diff ${layer.diffId}`}>
            <code>{layer.chainId.slice(7, 19)}</code>
            <span className="bar" style={{ width: `${(100 * layer.imageCount) / most}%` }} />
            <span className="shared">{layer.imageCount} images</span>
          </li>
        ))}
      </ol>
    </section>
  );
}
