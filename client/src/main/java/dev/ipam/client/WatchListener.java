package dev.ipam.client;

import dev.ipam.client.model.WatchEvent;

/**
 * Receives a watch's events, in order, on the watch's own thread. Bookmarks and the watch's own
 * recovery (reconnects, re-lists after 410 Gone) are handled inside; after a re-list the listener
 * sees the difference as ADDED, MODIFIED and DELETED events, so a cache it keeps stays exact.
 */
public interface WatchListener<T> {
    /** One change. */
    void onEvent(WatchEvent<T> event);

    /** The watch stopped on an error it could not recover from; no event follows. */
    default void onError(IpamException error) {
    }
}
