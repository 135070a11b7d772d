'use client';

/**
 * A case's comments and the box to add one. Typing "@" and the start of a name (accents optional)
 * offers the colleagues who may open the case; choosing one writes "@Name" into the text and
 * mentions them (notified by the server). A mention whose "@Name" is deleted from the text again
 * is dropped. Everything is rendered as text.
 */
import { useMemo, useRef, useState } from 'react';
import { foldForSearch } from '@/engine/model/search';
import { translator, type Locale } from '../_i18n/messages';
import { CommandMessage, useCommand } from './command';
import { trpc } from './trpc';

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

export function Comments({ target, comments, people, canPost, locale }: { target: { taskId: string } | { instanceId: string }; comments: CommentView[]; people: Person[]; canPost: boolean; locale: Locale }) {
  const t = translator(locale);
  const [body, setBody] = useState('');
  const [chosen, setChosen] = useState<Person[]>([]);
  const [typing, setTyping] = useState<{ start: number; query: string } | null>(null);
  const [active, setActive] = useState(0);
  const area = useRef<HTMLTextAreaElement>(null);
  const { busy, message, run } = useCommand();
  const suggestions = useMemo(() => {
    if (!typing) return [];
    const q = foldForSearch(typing.query);
    return people
      .filter((p) => {
        const name = foldForSearch(p.name);
        return q === '' || name.startsWith(q) || name.split(' ').some((word) => word.startsWith(q));
      })
      .slice(0, 6);
  }, [typing, people]);
  const choose = (person: Person) => {
    if (!typing) return;
    const next = `${body.slice(0, typing.start)}@${person.name} ${body.slice(typing.start + 1 + typing.query.length)}`;
    setBody(next);
    setChosen((old) => (old.some((p) => p.id === person.id) ? old : [...old, person]));
    setTyping(null);
    area.current?.focus();
  };
  const post = () => {
    const mentions = chosen.filter((p) => body.includes(`@${p.name}`)).map((p) => p.id);
    const idempotencyKey = crypto.randomUUID();
    void run(() => trpc.collab.comment.mutate({ ...target, body, mentions, idempotencyKey }), {
      done: () => {
        setBody('');
        setChosen([]);
        return t('commentSent');
      },
    });
  };
  return (
    <section className="panel comments" aria-labelledby="comments-title">
      <h2 id="comments-title">{t('commentsTitle')}</h2>
      {comments.length === 0 ? (
        <p className="muted">{t('commentsEmpty')}</p>
      ) : (
        <ol className="comment-list">
          {comments.map((c) => (
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
