import { Construct } from 'constructs';
import { TrustmeshError } from '../errors';

const OUTPUT_FILE = Symbol.for('trustmesh.OutputFile');

/** Props of {@link OutputFile}. */
export interface OutputFileProps {
  /** Path relative to the output directory, with `/` separators, e.g. `bookinfo/trust-summary.md`. */
  readonly path: string;
  /** Produces the content at synth. Must be pure and deterministic. */
  readonly content: () => string;
  /**
   * Whether the file holds key material and belongs in the secrets directory.
   * @default false - the file is reviewable and goes to `dist/`
   */
  readonly secret?: boolean;
}

/**
 * A non-manifest file written by {@link TrustmeshApp} beside the YAML (for example a CA summary).
 */
export class OutputFile extends Construct {
  /** Brand check that works across package copies. */
  public static isOutputFile(x: unknown): x is OutputFile {
    return typeof x === 'object' && x !== null && OUTPUT_FILE in x;
  }

  public readonly path: string;
  public readonly secret: boolean;
  private readonly produce: () => string;

  public constructor(scope: Construct, id: string, props: OutputFileProps) {
    super(scope, id);
    Object.defineProperty(this, OUTPUT_FILE, { value: true });
    if (props.path.startsWith('/') || props.path.split('/').includes('..')) {
      throw new TrustmeshError('TM_OUTPUT_PATH_INVALID', 'an output file path must be relative and stay inside the output directory', {
        location: { constructPath: this.node.path },
        value: props.path,
        allowed: 'a relative path with `/` separators and no `..`, e.g. `bookinfo/trust-summary.md`',
      });
    }
    this.path = props.path;
    this.secret = props.secret ?? false;
    this.produce = props.content;
  }

  /** The file content. */
  public render(): string {
    return this.produce();
  }
}
