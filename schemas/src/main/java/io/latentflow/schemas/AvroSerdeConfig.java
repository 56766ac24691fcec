package io.latentflow.schemas;

import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.ConfigException;

/** How {@link AvroSerializer} and {@link AvroDeserializer} learn their record class from Kafka client config. */
public final class AvroSerdeConfig {

    /** Fully qualified name of the generated record class, e.g. {@code io.latentflow.schemas.ImageRecord}. */
    public static final String RECORD_CLASS = "latentflow.avro.record.class";

    private AvroSerdeConfig() {
    }

    static <T extends SpecificRecord> AvroCodec<T> codecFrom(Map<String, ?> configs) {
        Object value = configs.get(RECORD_CLASS);
        if (value == null) {
            throw new ConfigException(RECORD_CLASS + " is not set: name the generated Avro class to (de)serialize, "
                    + "e.g. " + ImageRecord.class.getName() + ", or construct the serde with the class");
        }
        Class<?> type;
        if (value instanceof Class<?> given) {
            type = given;
        } else {
            try {
                type = Class.forName(value.toString(), true, AvroSerdeConfig.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new ConfigException(RECORD_CLASS, value, "no such class on the classpath");
            }
        }
        if (!SpecificRecord.class.isAssignableFrom(type)) {
            throw new ConfigException(RECORD_CLASS, value, "not a generated Avro SpecificRecord class");
        }
        @SuppressWarnings("unchecked")
        Class<T> recordType = (Class<T>) type;
        return AvroCodec.of(recordType);
    }
}
