import { defaultRangeExtractor, useVirtualizer } from '@tanstack/react-virtual';
import {
  type KeyboardEvent,
  useCallback,
  useEffect,
  useMemo,
  useReducer,
  useRef,
  useState,
} from 'react';
import { useClient } from 'urql';
import { ForestState, type Line, ROOT } from './forest-state.ts';
import { type StoreEvent, useStoreEvents } from './live.ts';
import { go } from './route.ts';
import { ago } from './time.ts';
import type { Mode } from './tree-data.ts';

const LINE_HEIGHT = 28;

/** The forest of images, parent tree or lineage tree, as an ARIA tree that loads as it scrolls. */
export function Forest({ mode, selected }: { mode: Mode; selected: string | null }) {
  const client = useClient();
  const [, redraw] = useReducer((n: number) => n + 1, 0);
  const forest = useMemo(() => new ForestState(client, mode, redraw), [client, mode]);
  useEffect(() => {
    void forest.loadMore(ROOT);
    return () => forest.dispose();
  }, [forest]);
  useStoreEvents(useCallback((event: StoreEvent) => follow(forest, event), [forest]));

  const lines = forest.lines();
  // The active line is followed by what it shows, not by its place: lines come
  // and go above it as levels open, load and change.
  const [active, setActive] = useState({ key: '', index: 0 });
  const found = lines.findIndex((line) => lineId(line) === active.key);
  const at = found >= 0 ? found : Math.min(active.index, Math.max(lines.length - 1, 0));
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: lines.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => LINE_HEIGHT,
    overscan: 12,
    // The active line is always drawn, so that aria-activedescendant names an element.
    rangeExtractor: (range) => {
      const indexes = defaultRangeExtractor(range);
      return indexes.includes(at) || at >= lines.length
        ? indexes
        : [...indexes, at].sort((a, b) => a - b);
    },
  });
  const items = virtualizer.getVirtualItems();
  // A level's next page loads when its last line comes into view.
  useEffect(() => {
    for (const item of items) {
      const line = lines[item.index];
      if (line?.kind === 'more') void forest.loadMore(line.up);
    }
  });
  const move = (index: number) => {
    const next = Math.max(0, Math.min(index, lines.length - 1));
    const line = lines[next];
    if (!line) return;
    setActive({ key: lineId(line), index: next });
    virtualizer.scrollToIndex(next);
  };
  const onKeyDown = (event: KeyboardEvent) => {
    const line = lines[at];
    if (!line) return;
    const handled = keys(event.key, line, at, lines, forest, move);
    if (handled) event.preventDefault();
  };

  return (
    <section className="forest" aria-label={mode === 'parent' ? 'Parent tree' : 'Lineage tree'}>
      {forest.error && <p className="error">{forest.error}</p>}
      <div
        ref={scroller}
        className="tree"
        role="tree"
        tabIndex={0}
        aria-label={mode === 'parent' ? 'Images by parent' : 'Images by base'}
        aria-activedescendant={lines[at] ? lineId(lines[at]) : undefined}
        onKeyDown={onKeyDown}
      >
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((item) => {
            const line = lines[item.index]!;
            return (
              <div
                key={item.key}
                className={`line${item.index === at ? ' active' : ''}`}
                style={{ transform: `translateY(${item.start}px)`, paddingLeft: line.level * 18 }}
              >
                {line.kind === 'image' ? (
                  <ImageLine
                    line={line}
                    expanded={forest.expanded.has(line.row.id)}
                    selected={line.row.id === selected}
                    onToggle={() => forest.toggle(line.row.id)}
                    onOpen={() => {
                      setActive({ key: lineId(line), index: item.index });
                      go({ kind: 'image', id: line.row.id });
                    }}
                  />
                ) : (
                  <MoreLine line={line} onRetry={() => void forest.loadMore(line.up, true)} />
                )}
              </div>
            );
          })}
        </div>
      </div>
      <p className="count">
        {forest.levels.get(ROOT)?.total ?? '…'} {mode === 'parent' ? 'roots' : 'lineage roots'}
      </p>
    </section>
  );
}

function ImageLine(props: {
  line: Extract<Line, { kind: 'image' }>;
  expanded: boolean;
  selected: boolean;
  onToggle: () => void;
  onOpen: () => void;
}) {
  const { row, level, position, size } = props.line;
  const parent = row.below > 0;
  return (
    // Focus stays on the tree, which takes the keys; aria-activedescendant names the active line.
    // biome-ignore lint/a11y/useFocusableInteractive: see above
    // biome-ignore lint/a11y/useKeyWithClickEvents: see above
    <div
      id={lineId(props.line)}
      role="treeitem"
      aria-level={level}
      aria-posinset={position}
      aria-setsize={size}
      aria-expanded={parent ? props.expanded : undefined}
      aria-selected={props.selected}
      className={`image-line${props.selected ? ' selected' : ''}`}
      onClick={props.onOpen}
    >
      <button
        type="button"
        className="caret"
        tabIndex={-1}
        aria-hidden="true"
        disabled={!parent}
        onClick={(event) => {
          event.stopPropagation();
          props.onToggle();
        }}
      >
        {parent ? (props.expanded ? '▾' : '▸') : '·'}
      </button>
      <code className="short-id">{row.shortId}</code>
      <span className="tags">
        {row.tags.slice(0, 3).map((tag) => (
          <span key={tag} className="tag">
            {tag}
          </span>
        ))}
        {row.tags.length > 3 && <span className="tag">+{row.tags.length - 3}</span>}
      </span>
      <span className="created" title={row.created ?? ''}>
        {ago(row.created)}
      </span>
      <span className="layers" title="layers">
        {row.layerCount} {row.layerCount === 1 ? 'layer' : 'layers'}
      </span>
      <span className="below" title="images below">
        {row.below} below
      </span>
    </div>
  );
}

function MoreLine({
  line,
  onRetry,
}: {
  line: Extract<Line, { kind: 'more' }>;
  onRetry: () => void;
}) {
  return (
    // biome-ignore lint/a11y/useFocusableInteractive: focus stays on the tree (aria-activedescendant)
    <div id={lineId(line)} role="treeitem" aria-level={line.level} className="more">
      {line.failed ? (
        <button type="button" tabIndex={-1} onClick={onRetry}>
          loading failed after {line.loaded} of {line.total}: retry
        </button>
      ) : (
        `loading ${line.loaded} of ${line.total}…`
      )}
    </div>
  );
}

function lineId(line: Line): string {
  return line.kind === 'image'
    ? `line-${line.row.id.slice(7, 19)}`
    : `more-${line.up.slice(7, 19)}`;
}

/** The keys of a file tree: arrows, Home, End, Enter; true when the key was one of them. */
function keys(
  key: string,
  line: Line,
  at: number,
  lines: Line[],
  forest: ForestState,
  move: (index: number) => void,
): boolean {
  const id = line.kind === 'image' ? line.row.id : null;
  switch (key) {
    case 'ArrowDown':
      move(at + 1);
      return true;
    case 'ArrowUp':
      move(at - 1);
      return true;
    case 'Home':
      move(0);
      return true;
    case 'End':
      move(lines.length - 1);
      return true;
    case 'ArrowRight':
      if (id && line.kind === 'image' && line.row.below > 0) {
        if (!forest.expanded.has(id)) forest.toggle(id, true);
        else move(at + 1);
      }
      return true;
    case 'ArrowLeft':
      if (id && forest.expanded.has(id)) forest.toggle(id, false);
      else if (line.up !== ROOT)
        move(lines.findIndex((l) => l.kind === 'image' && l.row.id === line.up));
      return true;
    case 'Enter':
      if (id) go({ kind: 'image', id });
      else if (line.kind === 'more') void forest.loadMore(line.up, true);
      return true;
    default:
      return false;
  }
}

/** Keeps the forest true to the store as events come. */
function follow(forest: ForestState, event: StoreEvent): void {
  const up = (forest.mode === 'parent' ? event.image?.parent : event.image?.base)?.id ?? ROOT;
  const held = forest.levelOf(event.imageId);
  switch (event.type) {
    case 'CREATE':
    case 'IMPORT':
      forest.arrived(event.imageId);
      forest.reload(up);
      void forest.refresh(up);
      return;
    case 'DELETE':
    case 'PRUNE': {
      // Its children lose their parent (roots now); its derived images move to its base's level.
      const hadBelow = (forest.rows.get(event.imageId)?.below ?? 0) > 0;
      forest.remove(event.imageId);
      if (hadBelow) forest.reload(forest.mode === 'parent' ? ROOT : (held ?? ROOT));
      if (held) void forest.refresh(held);
      return;
    }
    case 'SET_PARENT':
      if (forest.mode === 'parent') {
        forest.remove(event.imageId, false);
        forest.reload(event.parentId ?? ROOT);
        if (held) void forest.refresh(held);
        if (event.parentId) void forest.refresh(event.parentId);
      }
      return;
    default:
      void forest.refresh(event.imageId);
  }
}
