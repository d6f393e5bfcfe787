import protobuf from 'protobufjs';
import { fieldPath, indexPath } from './errors.js';
import { typeInfo } from './fields.js';
import { isObject, type JsonToWire } from './from-json.js';

/**
 * Encodes a message whose big repeated message fields are encoded element by element, each
 * element's bytes remembered by its JSON text. One changed route among thousands then costs that
 * route: the strict JSON walk of a 3,000-route RouteConfiguration took 90–250 ms per change, and it
 * is on every route change's path to the Engines.
 *
 * Protobuf allows a message's fields in any order and concatenates repeated elements, so the
 * other fields are encoded as usual and each element is appended as `tag, length, bytes`; the
 * decoded message is the same (codec.test.ts round-trips every golden resource through here).
 */
export class ElementMemo {
  private readonly bytes = new Map<string, Uint8Array>();

  /**
   * @param splits message type full name (no leading dot) → the repeated message field to split.
   * @param maxEntries beyond this the memo starts over (it holds the elements of the resources served).
   */
  constructor(
    private readonly toWire: JsonToWire,
    private readonly splits: ReadonlyMap<string, string>,
    private readonly maxEntries = 100_000,
  ) {}

  /** Whether `type` has a field this memo splits. */
  handles(type: protobuf.Type): boolean {
    // typeInfo caches the name: protobufjs recomputes fullName on every read (once per route here).
    return this.splits.has(typeInfo(type).name);
  }

  encode(type: protobuf.Type, json: unknown, path: string, depth: number, inAny: boolean): Uint8Array {
    const fieldName = this.splits.get(typeInfo(type).name);
    const field = fieldName === undefined ? undefined : type.fields[fieldName];
    const elements = field && isObject(json) ? json[field.name] : undefined;
    if (!field || !Array.isArray(elements) || !(field.resolvedType instanceof protobuf.Type)) {
      return type.encode(this.toWire.message(type, json, path, depth, inAny)).finish();
    }
    const elementType = field.resolvedType;
    const rest = { ...(json as Record<string, unknown>) };
    delete rest[field.name];
    const parts: Uint8Array[] = [type.encode(this.toWire.message(type, rest, path, depth, inAny)).finish()];
    const writer = protobuf.Writer.create();
    const tag = (field.id << 3) | 2;
    elements.forEach((element, index) => {
      const at = indexPath(fieldPath(path, field.name), index);
      writer.uint32(tag).bytes(this.element(elementType, element, at, depth + 1));
    });
    parts.push(writer.finish());
    return Buffer.concat(parts);
  }

  private element(type: protobuf.Type, json: unknown, path: string, depth: number): Uint8Array {
    if (this.handles(type)) return this.encode(type, json, path, depth, false);
    const key = `${typeInfo(type).name}\n${JSON.stringify(json)}`;
    const known = this.bytes.get(key);
    if (known) return known;
    const encoded = type.encode(this.toWire.valueOf(type, json, path, depth)).finish();
    if (this.bytes.size >= this.maxEntries) this.bytes.clear();
    this.bytes.set(key, encoded);
    return encoded;
  }
}
