import { useState } from 'react';
import { Forest } from './forest.tsx';
import { ImagePanel } from './image-panel.tsx';
import { useConnection } from './live.ts';
import { useRoute } from './route.ts';
import { Search } from './search.tsx';
import type { Mode } from './tree-data.ts';

/** The explorer: search above, the forest on the left, the chosen image on the right. */
export function App() {
  const route = useRoute();
  const [mode, setMode] = useState<Mode>('parent');
  const selected = route.kind === 'image' ? route.id : null;
  return (
    <div className="app">
      <header>
        <h1>
          <a href="#/">Image store</a>
        </h1>
        <Search initial={route.kind === 'search' ? route.text : ''} />
        <fieldset className="mode" aria-label="Tree">
          {(['parent', 'lineage'] as const).map((m) => (
            <label key={m}>
              <input type="radio" name="mode" checked={mode === m} onChange={() => setMode(m)} />
              {m === 'parent' ? 'Parent tree' : 'Lineage tree'}
            </label>
          ))}
        </fieldset>
        <LiveBadge />
      </header>
      <main>
        <Forest key={mode} mode={mode} selected={selected} />
        {selected ? (
          <ImagePanel key={selected} id={selected} />
        ) : (
          <aside className="panel hint">Choose an image in the forest or search for one.</aside>
        )}
      </main>
    </div>
  );
}

function LiveBadge() {
  const state = useConnection();
  return (
    <output className={`badge ${state}`} aria-label="Live updates">
      {state === 'live' ? '● live' : state === 'connecting' ? '○ connecting' : '○ reconnecting'}
    </output>
  );
}
