package dev.ipam.core;

import dev.ipam.core.model.Kind;
import java.util.Arrays;

/**
 * Key layouts of Space.OBJECTS, Space.INDEX and Space.META. Names are DNS-1123 (ASCII, no NUL), so
 * NUL separators keep the order "by project, then namespace, then name", which is what lists need.
 */
final class Keys {
    private Keys() {
    }

    /** INDEX: allocations by the project and name of the pool they were carved from. */
    static final byte INDEX_ALLOCATIONS_BY_POOL = 1;

    /** META: the counter behind pool ids and uids. */
    static final byte[] META_SEQUENCE = {'s', 'e', 'q'};

    /** META: the audit trail's newest index and seq and where its pruning resumes (see Audit). */
    static final byte[] META_AUDIT = {'a', 'u', 'd', 'i', 't'};

    /** OBJECTS: kind, project, NUL, namespace, NUL, name. Projects use "" for project and namespace. */
    static byte[] object(Kind kind, String project, String namespace, String name) {
        byte[] key = new byte[1 + project.length() + 1 + namespace.length() + 1 + name.length()];
        int at = 0;
        key[at++] = (byte) kind.id;
        at = ascii(key, at, project);
        key[at++] = 0;
        at = ascii(key, at, namespace);
        key[at++] = 0;
        ascii(key, at, name);
        return key;
    }

    /** The prefix of every object of a kind in a project, or in one namespace of it when namespace != null. */
    static byte[] objectPrefix(Kind kind, String project, String namespace) {
        int length = 1 + project.length() + 1 + (namespace == null ? 0 : namespace.length() + 1);
        byte[] key = new byte[length];
        int at = 0;
        key[at++] = (byte) kind.id;
        at = ascii(key, at, project);
        key[at++] = 0;
        if (namespace != null) {
            at = ascii(key, at, namespace);
            key[at] = 0;
        }
        return key;
    }

    /** INDEX: pool project, NUL, pool name, NUL, allocation project, NUL, namespace, NUL, allocation name. */
    static byte[] allocationByPool(String poolProject, String pool, String project, String namespace, String name) {
        byte[] key = new byte[1 + poolProject.length() + 1 + pool.length() + 1 + project.length() + 1
                + namespace.length() + 1 + name.length()];
        int at = 0;
        key[at++] = INDEX_ALLOCATIONS_BY_POOL;
        at = ascii(key, at, poolProject);
        key[at++] = 0;
        at = ascii(key, at, pool);
        key[at++] = 0;
        at = ascii(key, at, project);
        key[at++] = 0;
        at = ascii(key, at, namespace);
        key[at++] = 0;
        ascii(key, at, name);
        return key;
    }

    static byte[] allocationsByPoolPrefix(String poolProject) {
        byte[] key = new byte[1 + poolProject.length() + 1];
        key[0] = INDEX_ALLOCATIONS_BY_POOL;
        ascii(key, 1, poolProject);
        return key;
    }

    /** The allocation's object key from its INDEX key (the last three NUL-separated parts). */
    static byte[] allocationFromIndex(byte[] indexKey) {
        int separators = 0;
        int start = -1;
        for (int i = 1; i < indexKey.length; i++) {
            if (indexKey[i] == 0 && ++separators == 2) {
                start = i + 1;
                break;
            }
        }
        if (start < 0) {
            throw new IllegalStateException("malformed allocation index key");
        }
        byte[] key = new byte[1 + indexKey.length - start];
        key[0] = (byte) Kind.ALLOCATION.id;
        System.arraycopy(indexKey, start, key, 1, indexKey.length - start);
        return key;
    }

    /** The smallest key greater than every key starting with prefix, or null if there is none. */
    static byte[] prefixEnd(byte[] prefix) {
        byte[] end = Arrays.copyOf(prefix, prefix.length);
        for (int i = end.length - 1; i >= 0; i--) {
            if (end[i] != (byte) 0xFF) {
                end[i]++;
                return Arrays.copyOf(end, i + 1);
            }
        }
        return null;
    }

    /** The smallest key greater than key. */
    static byte[] successor(byte[] key) {
        return Arrays.copyOf(key, key.length + 1);
    }

    static boolean startsWith(byte[] key, byte[] prefix) {
        return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }

    private static int ascii(byte[] key, int at, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == 0 || c >= 0x80) {
                throw new IllegalArgumentException("key part must be ASCII without NUL: " + value);
            }
            key[at++] = (byte) c;
        }
        return at;
    }
}
