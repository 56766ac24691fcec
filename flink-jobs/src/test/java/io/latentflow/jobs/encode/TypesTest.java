package io.latentflow.jobs.encode;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What travels between the encode job's operators and sits in its state is serialized by Flink, not Kryo. */
class TypesTest {

    @Test
    void recordsBetweenOperatorsAndInStateArePojos() {
        for (Class<?> type : new Class<?>[] {RawImage.class, PreparedImage.class, EncodedLatent.class, PendingShard.class}) {
            TypeInformation<?> info = TypeInformation.of(type);
            System.out.println(type.getSimpleName() + ": " + info);
            assertThat(info).as(type.getSimpleName()).isInstanceOf(PojoTypeInfo.class);
        }
    }
}
