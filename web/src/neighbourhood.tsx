import dagre from '@dagrejs/dagre';
import { useCallback, useMemo } from 'react';
import { useQuery } from 'urql';
import { graphql, type ResultOf } from './graphql.ts';
import { concerns, type StoreEvent, useStoreEvents } from './live.ts';
import { hrefOf } from './route.ts';

const NEIGHBOURHOOD = graphql(`
  query Neighbourhood($id: String!) {
    image(id: $id) {
      id shortId repoTags parent { id }
      bases { id shortId repoTags base { id } parent { id } }
      derived {
        id shortId repoTags parent { id }
        derived { id shortId repoTags parent { id } }
      }
    }
  }
`);

type Found = NonNullable<ResultOf<typeof NEIGHBOURHOOD>['image']>;
interface Node {
  id: string;
  label: string;
  parentId: string | null;
}
interface Edge {
  from: string;
  to: string;
  kind: 'base' | 'parent';
}

// A wide level is cut here, with a node that says how many more there are.
const MOST_PER_LEVEL = 12;
const NODE = { width: 132, height: 30 };

/**
 * The image among its bases (up to the lineage root) and the images derived
 * from it two levels down, laid out as a layered graph; parent links that
 * differ from the lineage are drawn dashed.
 */
export function Neighbourhood({ id }: { id: string }) {
  const [{ data }, reread] = useQuery({ query: NEIGHBOURHOOD, variables: { id } });
  // A derived image that comes or goes changes the picture; one further away is not worth a read.
  useStoreEvents(
    useCallback(
      (event: StoreEvent) => {
        if (concerns(event, id)) reread({ requestPolicy: 'network-only' });
      },
      [id, reread],
    ),
  );
  const graph = useMemo(() => (data?.image ? layout(data.image) : null), [data]);
  if (!graph) return null;
  return (
    <figure className="neighbourhood">
      <figcaption>Neighbourhood: bases above, derived images below</figcaption>
      <svg
        role="img"
        aria-label="Lineage neighbourhood"
        width={graph.width}
        height={graph.height}
        viewBox={`0 0 ${graph.width} ${graph.height}`}
      >
        {graph.edges.map((edge) => (
          <polyline
            key={`${edge.kind}${edge.from}${edge.to}`}
            className={`edge ${edge.kind}`}
            points={edge.points.map((p: { x: number; y: number }) => `${p.x},${p.y}`).join(' ')}
          />
        ))}
        {graph.nodes.map((node) => {
          const box = (
            <>
              <rect width={NODE.width} height={NODE.height} rx={6} />
              <text x={NODE.width / 2} y={NODE.height / 2 + 4} textAnchor="middle">
                {node.label.length > 20 ? `${node.label.slice(0, 19)}…` : node.label}
              </text>
            </>
          );
          const place = `translate(${node.x - NODE.width / 2},${node.y - NODE.height / 2})`;
          const kind = `node${node.id === id ? ' current' : ''}`;
          return node.link ? (
            <a key={node.id} href={hrefOf({ kind: 'image', id: node.id })} aria-label={node.label}>
              <g className={kind} transform={place}>
                {box}
              </g>
            </a>
          ) : (
            <g key={node.id} className={`${kind} more`} transform={place}>
              {box}
            </g>
          );
        })}
      </svg>
    </figure>
  );
}

/** The nodes and edges around the image, placed by dagre. */
function layout(image: Found) {
  const nodes = new Map<string, Node & { link: boolean }>();
  const edges: Edge[] = [];
  const add = (n: {
    id: string;
    shortId: string;
    repoTags: string[];
    parent: { id: string } | null;
  }) =>
    nodes.set(n.id, {
      id: n.id,
      label: n.repoTags[0] ?? n.shortId,
      parentId: n.parent?.id ?? null,
      link: true,
    });
  add(image);
  let below = image.id;
  for (const base of image.bases) {
    add(base);
    edges.push({ from: base.id, to: below, kind: 'base' });
    below = base.id;
  }
  const level = (
    up: string,
    derived: { id: string; shortId: string; repoTags: string[]; parent: { id: string } | null }[],
  ) => {
    for (const d of derived.slice(0, MOST_PER_LEVEL)) {
      add(d);
      edges.push({ from: up, to: d.id, kind: 'base' });
    }
    if (derived.length > MOST_PER_LEVEL) {
      const more = `${up}+more`;
      nodes.set(more, {
        id: more,
        label: `+${derived.length - MOST_PER_LEVEL} more`,
        parentId: null,
        link: false,
      });
      edges.push({ from: up, to: more, kind: 'base' });
    }
  };
  level(image.id, image.derived);
  for (const d of image.derived.slice(0, MOST_PER_LEVEL)) level(d.id, d.derived);
  // Parent links, where they are not the lineage's own.
  for (const node of nodes.values()) {
    const lineageUp = edges.find((e) => e.to === node.id && e.kind === 'base')?.from;
    if (node.parentId && nodes.has(node.parentId) && node.parentId !== lineageUp)
      edges.push({ from: node.parentId, to: node.id, kind: 'parent' });
  }
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: 'TB', nodesep: 12, ranksep: 28, marginx: 8, marginy: 8 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const node of nodes.values()) g.setNode(node.id, { ...NODE });
  for (const edge of edges) g.setEdge(edge.from, edge.to, {}, edge.kind);
  dagre.layout(g);
  return {
    width: g.graph().width ?? 0,
    height: g.graph().height ?? 0,
    nodes: [...nodes.values()].map((node) => ({ ...node, ...g.node(node.id) })),
    edges: edges.map((edge) => ({
      ...edge,
      points: g.edge(edge.from, edge.to, edge.kind).points ?? [],
    })),
  };
}
