import { spawnSync } from 'node:child_process';
import { completionScript } from './completion-script';
import { buildProgram } from './program';

describe(completionScript.name, () => {
  it.each(['bash', 'zsh'])('offers the command tree to %s', (shell) => {
    const script = completionScript(buildProgram(), shell);
    expect(script).toContain(
      '"repository") words="list show show-tags show-manifests update delete untag',
    );
    expect(script).toMatch(/"replication status"\) words="--wait --regions --timeout --interval/);
    expect(script).toContain('complete -o default -F _meridian_complete meridian');
  });

  it('completes subcommands and flags in bash, skipping flag values', () => {
    const script = completionScript(buildProgram(), 'bash');
    const complete = (...words: string[]) => {
      const shell = spawnSync(
        'bash',
        [
          '-c',
          `${script}\nCOMP_WORDS=(${words.map((word) => `'${word}'`).join(' ')}); COMP_CWORD=${
            words.length - 1
          }; _meridian_complete; printf '%s\\n' "\${COMPREPLY[@]}"`,
        ],
        { encoding: 'utf8' },
      );
      expect(shell.stderr).toBe('');
      return shell.stdout.trim().split('\n');
    };
    expect(complete('meridian', 'repository', 'show')).toEqual([
      'show',
      'show-tags',
      'show-manifests',
    ]);
    expect(complete('meridian', '--registry', 'r:5000', 'repl')).toEqual(['replication']);
    expect(complete('meridian', 'replication', 'status', '--w')).toEqual(['--wait']);
  });

  it('refuses another shell', () => {
    expect(() => completionScript(buildProgram(), 'fish')).toThrow(/bash or zsh/);
  });
});
