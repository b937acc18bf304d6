/**
 * Definitions to start from: a blank machine, and the repository's examples/ (bundled at build
 * time, so the console needs no network). Hello World (examples/hello-world.asl.json) is the
 * Step Functions console's own template: Pass, a Choice on $.IsHelloWorldExample, Wait 3 s,
 * Parallel of two Pass branches, Succeed, and a Fail when false.
 */

export interface Template {
  readonly id: string;
  readonly title: string;
  readonly definition: string;
  /** A sample execution input, when the example has one. */
  readonly input?: string;
}

const definitions = import.meta.glob('../../examples/*.asl.json', { eager: true, query: '?raw', import: 'default' }) as Record<string, string>;
const inputs = import.meta.glob('../../examples/*.input.json', { eager: true, query: '?raw', import: 'default' }) as Record<string, string>;

const BLANK = `{
  "Comment": "A description of my state machine",
  "StartAt": "Pass",
  "States": {
    "Pass": {
      "Type": "Pass",
      "End": true
    }
  }
}
`;

function titleOf(id: string): string {
  if (id === 'hello-world') return 'Hello world';
  return id.replace(/-/g, ' ').replace(/^./, (c) => c.toUpperCase());
}

export const TEMPLATES: readonly Template[] = [
  { id: 'blank', title: 'Blank', definition: BLANK },
  ...Object.entries(definitions)
    .map(([path, definition]) => {
      const id = path.replace(/^.*\//, '').replace(/\.asl\.json$/, '');
      const input = inputs[path.replace(/\.asl\.json$/, '.input.json')];
      return { id, title: titleOf(id), definition, ...(input ? { input } : {}) };
    })
    // Hello world first, as in the Step Functions console.
    .sort((a, b) => (a.id === 'hello-world' ? -1 : b.id === 'hello-world' ? 1 : a.title.localeCompare(b.title))),
];

export const DEFAULT_TEMPLATE_ID = TEMPLATES.some((t) => t.id === 'hello-world') ? 'hello-world' : 'blank';
