package dev.ipam.server.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Where the leader resends from after a follower refuses an append ({@link CatchUpAppender#nextIndex}). */
class CatchUpAppenderTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            # case                                                  | prev | reply | ratis | match | commit | logStart | next
            the follower's log ends earlier: it named its end        |   61 |    41 |    41 |    -1 |     -1 |        0 |   41
            another entry at the previous index, nothing known       |   40 |    40 |    40 |    -1 |     -1 |        0 |    0
            the same, the follower's commit index known              |   40 |    40 |    40 |    -1 |     11 |        0 |   12
            the same, a match index above the commit index           |   40 |    40 |    40 |    20 |     11 |        0 |   21
            the leader's log starts later: from its start            |   40 |    40 |    40 |    -1 |     -1 |       30 |   30
            at the log start already: Ratis' answer, then a snapshot |   29 |    29 |    29 |    -1 |     -1 |       30 |   29
            the known match is where Ratis steps back to             |   40 |    40 |    40 |    39 |     -1 |        0 |   40
            never above Ratis' answer                                |   40 |    40 |    38 |    39 |     -1 |        0 |   38
            the previous index not known: Ratis' answer              |   -1 |    40 |    40 |    -1 |     -1 |        0 |   40
            """)
    void resendsFromTheLastEntryKnownToMatch(String why, long previous, long reply, long ratis, long match, long commit,
            long logStart, long expected) {
        assertEquals(expected, CatchUpAppender.nextIndex(previous, reply, ratis, match, commit, logStart), why);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            # case                                        | first | followerNext | previous
            entries from 456: the one before              |   456 |          552 |      455
            a heartbeat: the one before the next index    |    -1 |          552 |      551
            entries from the log's first index: none      |     0 |            1 |       -1
            """)
    void thePreviousIndexOfARefusedRequest(String why, long first, long followerNext, long expected) {
        assertEquals(expected, CatchUpAppender.previousIndex(first, followerNext), why);
    }
}
