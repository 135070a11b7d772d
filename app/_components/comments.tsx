'use client';

/**
 * A case's comments and the box to add one. The page gives the newest comments; "Show older"
 * reads the page before the oldest one shown. Typing "@" and the start of a name (accents
 * optional) asks the server for the colleagues who may open the case (the page's list answers
 * until it replies); choosing one writes "@Name" into the text and mentions them (notified by the
 * server). A mention whose "@Name" is deleted from the text again is dropped. A comment keeps one
 * idempotency key until it is posted, so sending it again after a lost answer posts it once.
 * Everything is rendered as text.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { foldForSearch } from '@/engine/model/search';
import { translator, type Locale } from '../_i18n/messages';
import { formatDateTime } from '../_i18n/format';
import { CommandMessage, useCommand } from './command';
import { trpc } from './trpc';

/** Comments one page has (services/comments.ts COMMENTS_PAGE): a page this long may have older ones. */
const PAGE = 50;

export interface CommentView {
  id: string;
  body: string;
  author: string;
  when: string;
  task: string | null;
}
interface Person {
  id: string;
  name: string;
  title: string | null;
}

/** The "@word" being typed just before the caret, if any. */
function mentionAt(text: string, caret: number): { start: number; query: string } | null {
  const before = text.slice(0, caret);
  const match = /(^|\s)@([\p{L}\p{N} ]{0,30})$/u.exec(before);
  if (!match) return null;
  return { start: caret - match[2]!.length - 1, query: match[2]! };
}

export function Comments({
  target,
  comments,
  people,
  canPost,
  locale,
}: {
  target: { taskId: string } | { instanceId: string };
  comments: CommentView[];
  people: Person[];
  canPost: boolean;
  locale: Locale;
}) {
  const t = translator(locale);
  const [body, setBody] = useState('');
  const [chosen, setChosen] = useState<Person[]>([]);
  const [typing, setTyping] = useState<{ start: number; query: string } | null>(null);
  const [active, setActive] = useState(0);
  const area = useRef<HTMLTextAreaElement>(null);
  /** The key of the comment being written: kept across retries, new once it is posted or changed. */
  const key = useRef<string | null>(null);
  const { busy, message, run } = useCommand();
  const [older, setOlder] = useState<CommentView[]>([]);
  const [hasOlder, setHasOlder] = useState(comments.length >= PAGE);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [found, setFound] = useState<{ q: string; people: Person[] } | null>(null);
  const query = typing ? foldForSearch(typing.query) : null;
  useEffect(() => {
    if (query === null) return;
    let current = true;
    const timer = setTimeout(() => {
      trpc.collab.mentionable
        .query({ ...target, q: query })
        .then((list) => current && setFound({ q: query, people: list }))
        .catch(() => undefined);
    }, 150);
    return () => {
      current = false;
      clearTimeout(timer);
    };
    // target is the same case for the component's life
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [query]);
  const suggestions = useMemo(() => {
    if (query === null) return [];
    if (found?.q === query) return found.people.slice(0, 6);
    return people
      .filter((p) => {
        const name = foldForSearch(p.name);
        return query === '' || name.startsWith(query) || name.split(' ').some((word) => word.startsWith(query));
      })
      .slice(0, 6);
  }, [query, found, people]);
  // Every page of the newest comments this page was given, kept: after a post, the newest page moves
  // on by one, and the comment it leaves behind stays shown (between the older ones and the new page).
  const [kept, setKept] = useState<CommentView[]>(comments);
  useEffect(() => {
    setKept((previous) => {
      const fresh = new Set(comments.map((c) => c.id));
      return [...previous.filter((c) => !fresh.has(c.id)), ...comments];
    });
  }, [comments]);
  const keptIds = new Set(kept.map((c) => c.id));
  const shown = [...older.filter((c) => !keptIds.has(c.id)), ...kept];
  const showOlder = () => {
    const first = shown[0];
    if (!first) return;
    setLoadingOlder(true);
    trpc.collab.comments
      .query({ ...target, before: first.id, limit: PAGE })
      .then((page) => {
        const taskId = 'taskId' in target ? target.taskId : null;
        setOlder((old) => [
          ...page.map((c) => ({
            id: c.id,
            body: c.body,
            author: c.author,
            when: formatDateTime(c.createdAt, locale),
            task: c.taskId === taskId ? null : c.task,
          })),
          ...old,
        ]);
        setHasOlder(page.length >= PAGE);
      })
      .catch(() => setHasOlder(false))
      .finally(() => setLoadingOlder(false));
  };
  const choose = (person: Person) => {
    if (!typing) return;
    const next = `${body.slice(0, typing.start)}@${person.name} ${body.slice(typing.start + 1 + typing.query.length)}`;
    setBody(next);
    setChosen((old) => (old.some((p) => p.id === person.id) ? old : [...old, person]));
    key.current = null;
    setTyping(null);
    area.current?.focus();
  };
  const post = () => {
    const mentions = chosen.filter((p) => body.includes(`@${p.name}`)).map((p) => p.id);
    key.current ??= crypto.randomUUID();
    const idempotencyKey = key.current;
    void run(() => trpc.collab.comment.mutate({ ...target, body, mentions, idempotencyKey }), {
      done: () => {
        key.current = null;
        setBody('');
        setChosen([]);
        return t('commentSent');
      },
    });
  };
  return (
    <section className="panel comments" aria-labelledby="comments-title">
      <h2 id="comments-title">{t('commentsTitle')}</h2>
      {hasOlder && (
        <button type="button" className="linkish" disabled={loadingOlder} onClick={showOlder}>
          {loadingOlder ? t('commentsLoadingOlder') : t('commentsShowOlder')}
        </button>
      )}
      {shown.length === 0 ? (
        <p className="muted">{t('commentsEmpty')}</p>
      ) : (
        <ol className="comment-list">
          {shown.map((c) => (
            <li key={c.id}>
              <div className="muted">
                <strong>{c.author}</strong> · {c.when}
                {c.task && <> · {t('commentOnTask', { task: c.task })}</>}
              </div>
              <p className="comment-body">{c.body}</p>
            </li>
          ))}
        </ol>
      )}
      {canPost && (
        <form
          className="comment-form"
          onSubmit={(e) => {
            e.preventDefault();
            post();
          }}
        >
          <label htmlFor="comment-body">{t('commentLabel')}</label>
          <textarea
            id="comment-body"
            ref={area}
            value={body}
            maxLength={4_000}
            rows={3}
            aria-describedby="comment-hint"
            aria-autocomplete="list"
            aria-controls={suggestions.length > 0 ? 'mention-list' : undefined}
            onChange={(e) => {
              key.current = null;
              setBody(e.target.value);
              setTyping(mentionAt(e.target.value, e.target.selectionStart));
              setActive(0);
            }}
            onKeyDown={(e) => {
              if (suggestions.length === 0) return;
              if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
                e.preventDefault();
                setActive((i) => (i + (e.key === 'ArrowDown' ? 1 : suggestions.length - 1)) % suggestions.length);
              } else if (e.key === 'Enter' || e.key === 'Tab') {
                e.preventDefault();
                choose(suggestions[active]!);
              } else if (e.key === 'Escape') setTyping(null);
            }}
          />
          <p id="comment-hint" className="muted">
            {t('commentHint')}
          </p>
          {suggestions.length > 0 && (
            <ul id="mention-list" className="mention-list" role="listbox" aria-label={t('mentionSuggestions')}>
              {suggestions.map((p, i) => (
                <li key={p.id} role="option" aria-selected={i === active}>
                  <button type="button" onMouseDown={(e) => e.preventDefault()} onClick={() => choose(p)}>
                    {p.name}
                    {p.title && <span className="muted"> — {p.title}</span>}
                  </button>
                </li>
              ))}
            </ul>
          )}
          <button type="submit" className="primary" disabled={busy || body.trim() === ''}>
            {t('commentSend')}
          </button>
          <CommandMessage message={message} spaced />
        </form>
      )}
    </section>
  );
}
