import type { TRPCResponseMessage } from '@trpc/server/rpc';
import type { Feed, FeedEvent } from '../realtime/feed';
import type { TemplatedApp, WebSocket } from './uws';
import type { Conn, Group, Member, SubId } from './ws-conn';

/**
 * A feed viewer with more than this buffered stops receiving published events; it keeps only the newest
 * one, sent when the socket drains (coalescing: never a queue of positions that are already old).
 */
export const LAG_MARK = 16 * 1024;
/**
 * Viewers' buffers are looked at every this-many events of a group, not every event (hot path, issue 15
 * §7: one native call per viewer per fix was a few per cent of the fan-out's CPU). A viewer falling
 * behind is caught at most this many events (~1 KB) past LAG_MARK.
 */
const LAG_CHECK_EVERY = 4;

// biome-ignore lint/suspicious/noExplicitAny: feeds do not look at the socket's context
type Socket = WebSocket<Conn<any>>;
type Send = (ws: Socket, msg: TRPCResponseMessage | string) => void;

/**
 * Shared feeds on uWS topics: viewers of one feed on one subscription id form a group; each event is framed
 * once and published once to the group's topic, and a viewer that falls behind is taken off the topic and
 * gets only the newest event when its socket drains.
 */
export function createFeedGroups(app: TemplatedApp, send: Send) {
  const groups = new Map<string, Group>();

  const frame = (group: Group, e: FeedEvent) => {
    const eventId = JSON.stringify(e.id);
    return `${group.prefix}${eventId},"data":{"id":${eventId},"data":${e.json}}}}`;
  };

  /** A viewer in a group; `abort` (subscription.stop) leaves it. A class: no closures per viewer. */
  class Membership implements Member {
    pending: string | null = null;
    constructor(
      readonly ws: Socket,
      readonly group: Group,
    ) {}
    abort() {
      leave(this);
      send(this.ws, { id: this.group.id, jsonrpc: this.group.jsonrpc, result: { type: 'stopped' } });
    }
  }

  function publish(group: Group, e: FeedEvent) {
    const text = frame(group, e);
    const check = group.published++ % LAG_CHECK_EVERY === 0;
    for (const m of group.members) {
      if (m.pending !== null) m.pending = text;
      else if (check && m.ws.getBufferedAmount() > LAG_MARK) {
        // Stop publishing to this one; it gets the newest event when it drains.
        m.pending = text;
        m.ws.unsubscribe(group.topic);
        const conn = m.ws.getUserData();
        conn.lagging ??= new Set();
        conn.lagging.add(m);
      }
    }
    app.publish(group.topic, text, false);
  }

  /** Takes a member out of its group and out of its socket's bookkeeping. */
  function detach(m: Member) {
    const conn = m.ws.getUserData();
    m.group.members.delete(m);
    conn.subs.delete(m.group.id);
    conn.lagging?.delete(m);
    if (!conn.closed) m.ws.unsubscribe(m.group.topic);
  }

  function leave(m: Member) {
    const { group } = m;
    if (!group.members.has(m)) return;
    detach(m);
    if (group.members.size === 0) {
      groups.delete(group.topic);
      group.unsubscribe();
    }
  }

  /** The feed ended (e.g. the job started): every member's subscription stops. */
  function end(group: Group) {
    groups.delete(group.topic);
    for (const m of [...group.members]) {
      detach(m);
      send(m.ws, { id: group.id, jsonrpc: group.jsonrpc, result: { type: 'stopped' } });
    }
  }

  return {
    /** Adds a viewer (subscription `id` on `ws`) to the feed's group, opening the group if it is the first. */
    join(ws: Socket, id: SubId, jsonrpc: '2.0' | undefined, path: string, feed: Feed) {
      const conn = ws.getUserData();
      const topic = `${path}\n${feed.key}\n${JSON.stringify(id)}\n${jsonrpc ?? ''}`;
      let group = groups.get(topic);
      if (!group) {
        const g: Group = {
          topic,
          id,
          jsonrpc,
          prefix: `{"id":${JSON.stringify(id)},${jsonrpc ? '"jsonrpc":"2.0",' : ''}"result":{"type":"data","id":`,
          members: new Set(),
          published: 0,
          unsubscribe: () => {},
        };
        groups.set(topic, g);
        g.unsubscribe = feed.subscribe({ event: (e) => publish(g, e), end: () => end(g) });
        // Ended as it opened (the viewer's access ended meanwhile): started, then stopped at once.
        if (groups.get(topic) !== g) {
          conn.subs.delete(id);
          send(ws, { id, jsonrpc, result: { type: 'started' } });
          send(ws, { id, jsonrpc, result: { type: 'stopped' } });
          return;
        }
        group = g;
      }
      const member = new Membership(ws, group);
      group.members.add(member);
      conn.subs.set(id, member);
      send(ws, { id, jsonrpc, result: { type: 'started' } });
      ws.subscribe(topic);
      const first = feed.current();
      if (first) send(ws, frame(group, first));
    },

    /** The socket drained: its lagging viewers go back on their topics with the newest event each. */
    catchUp(ws: Socket, lagging: Set<Member>) {
      for (const m of lagging) {
        const text = m.pending;
        m.pending = null;
        if (!m.group.members.has(m)) continue;
        ws.subscribe(m.group.topic);
        if (text) send(ws, text);
      }
      ws.getUserData().lagging = null;
    },
  };
}
