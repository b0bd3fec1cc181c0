/**
 * Import boundaries of holdgate: the module table of docs/architecture.md, enforced.
 * Every folder under src/ may import itself, `shared/` and `errors/`, plus what its row allows.
 */
const base = ['^src/shared/', '^src/errors/'];

/** @param {string} from @param {string[]} allowed */
function layer(from, allowed) {
  return {
    name: `layer-${from.replace(/[^a-z]+/g, '-')}`,
    severity: 'error',
    comment: `src/${from} may import only: ${allowed.join(', ') || '(nothing else)'}`,
    from: { path: `^src/${from}` },
    to: {
      path: '^src/',
      pathNot: [`^src/${from}`, ...base, ...allowed.map((a) => `^src/${a}`)],
    },
  };
}

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Cycles make layers meaningless.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-orphans-in-src',
      severity: 'warn',
      from: { orphan: true, path: '^src/', pathNot: ['\\.d\\.ts$', '\\.test\\.ts$', '^src/cli/'] },
      to: {},
    },
    // SIP layers, RFC 3261 §5: syntax and encoding, transport, transaction, transaction user (dialog).
    layer('sip/message/', []),
    layer('sip/transport/', ['sip/message/']),
    layer('sip/transaction/', ['sip/message/', 'sip/transport/']),
    layer('sip/dialog/', ['sip/message/', 'sip/transport/', 'sip/transaction/']),
    layer('sdp/', []),
    layer('media/', []),
    layer('detect/', ['media/g711/']),
    layer('gate/', ['detect/']),
    layer('consent/', ['media/', 'config/']),
    layer('recorder/', []),
    layer('config/', []),
    layer('store/', ['config/']),
    layer('admin/', ['store/', 'config/', 'calls/call-control', 'recorder/']),
    layer('calls/', [
      'sip/',
      'sdp/',
      'media/',
      'detect/',
      'gate/',
      'consent/',
      'recorder/',
      'store/',
      'config/',
    ]),
    layer('shared/', []),
    layer('errors/', []),
    {
      name: 'only-main-reads-everything',
      severity: 'error',
      comment: 'Nothing imports the composition root or the CLI except the CLI.',
      from: { pathNot: '^src/cli/' },
      to: { path: ['^src/main\\.ts$', '^src/cli/'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['\\.test\\.ts$', 'node_modules'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
