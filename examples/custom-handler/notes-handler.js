// @ts-check
// A handler module for HANDLER_MODULE in plain JavaScript: no compiler needed. The image holds
// it as /app/handlers/notes-handler.js:
//   docker run --rm -p 8000:8000 -e HANDLER_MODULE=/app/handlers/notes-handler.js basehttp-greeting
import { HTTPError, RouteHandler } from 'basehttp';
import { z } from 'zod';

const Note = z.object({ text: z.string().min(1).max(1000) });

/** The notes, in memory: one process's worth. */
const notes = new Map();

/** `GET /notes`, `GET /notes/:id`, `POST /notes` (`{ "text": … }`, 201). */
export default class NotesHandler extends RouteHandler {
  protocolVersion = 'HTTP/1.1';

  static routes = {
    'GET /notes': 'list',
    'GET /notes/:id': 'get',
    'POST /notes': { call: 'create', body: Note },
  };

  list() {
    return { notes: [...notes.values()] };
  }

  /** @param {{ params: { id: string } }} args */
  get({ params }) {
    const note = notes.get(params.id);
    if (note === undefined) throw new HTTPError(404, `no note ${params.id}`);
    return note;
  }

  /** @param {{ body: { text: string } }} args */
  create({ body }) {
    const note = { id: String(notes.size + 1), text: body.text };
    notes.set(note.id, note);
    this.sendJson(201, note);
  }
}
