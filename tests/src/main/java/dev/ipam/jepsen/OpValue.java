package dev.ipam.jepsen;

import java.util.List;
import java.util.SortedMap;

/** What an operation is about; one record per kind of operation. */
public sealed interface OpValue {
    /** The pool the operation touches, or null for cluster-wide operations (nemesis). */
    String pool();

    /** Claim {@code name} of a /{@code prefixLength} from {@code pool}; {@code cidr} is the answer (null until known). */
    record Claim(String pool, String name, int prefixLength, Cidr cidr) implements OpValue {
    }

    /** Release claim {@code name}; {@code found} is false when the server answered NotFound, null until known. */
    record Release(String pool, String name, Boolean found) implements OpValue {
    }

    /** Every live claim of {@code pool}, name to block; {@code claims} is null until known. */
    record Read(String pool, SortedMap<String, Cidr> claims) implements OpValue {
    }

    /** Creation of a pool by the workload's setup. */
    record CreatePool(String pool, Cidr cidr) implements OpValue {
    }

    /** A fault: its kind, the nodes it targets, and free-form detail (rule, offset, leader...). */
    record Fault(String fault, List<String> nodes, String detail) implements OpValue {
        @Override
        public String pool() {
            return null;
        }
    }
}
