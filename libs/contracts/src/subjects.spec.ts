import {
  eventNameOfSubject,
  eventSubject,
  eventSubjectWildcard,
  pullNameOfSubject,
  pullStreamName,
  pullSubject,
  pullSubjectWildcard,
  rpcPattern,
  rpcPatternOfSubject,
  rpcSubject,
  rpcSubjectOfPattern,
} from './subjects';

describe('pull subjects', () => {
  it('keep pulls out of the events subject space', () => {
    const subject = pullSubject('us-east', 'image.pulled.v1');

    expect(subject).toBe('meridian.us-east.pulls.image.pulled.v1');
    expect(eventNameOfSubject(subject)).toBeUndefined();
    expect(subject.startsWith(eventSubjectWildcard('us-east').slice(0, -1))).toBe(false);
    expect(pullSubjectWildcard('us-east')).toBe('meridian.us-east.pulls.>');
  });

  it('name the event a pull subject carries, and nothing for an event subject', () => {
    expect(pullNameOfSubject(pullSubject('eu-west', 'image.pulled.v1'))).toBe('image.pulled.v1');
    expect(pullNameOfSubject(eventSubject('eu-west', 'manifest.pushed.v1'))).toBeUndefined();
  });

  it('name the stream after the region', () => {
    expect(pullStreamName('us-east')).toBe('MERIDIAN_US_EAST_PULLS');
  });
});

describe('rpc subjects', () => {
  it('put the region in front of the pattern a handler declares', () => {
    expect(rpcPattern('manifest', 'get')).toBe('manifest.get.v1');
    expect(rpcSubject('us-east', 'manifest', 'get', 2)).toBe(
      rpcSubjectOfPattern('us-east', 'manifest.get.v2'),
    );
    expect(rpcSubjectOfPattern('eu-west', 'manifest.get.v1')).toBe(
      'meridian.eu-west.rpc.manifest.get.v1',
    );
  });

  it('name the pattern an rpc subject carries, and nothing for another subject', () => {
    expect(rpcPatternOfSubject('meridian.eu-west.rpc.blob.stat.v1')).toBe('blob.stat.v1');
    expect(rpcPatternOfSubject(eventSubject('eu-west', 'manifest.pushed.v1'))).toBeUndefined();
  });
});
