package io.delegatebroker.broker.cluster.command;

import com.hazelcast.config.JavaSerializationFilterConfig;
import com.hazelcast.config.SerializationConfig;
import com.hazelcast.nio.serialization.DataSerializableFactory;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import java.io.IOException;

/**
 * The wire format of the cluster commands: one {@link DataSerializableFactory} that maps class ids ({@link WireType})
 * to the command and reply classes, and a Java deserialization filter. Nothing of the broker (nor of the Vert.x
 * cluster manager, whose structures are {@code DataSerializable}) uses Java serialization; Hazelcast itself does
 * only for exceptions in error responses between members. So the filter admits Hazelcast's own classes and the core JDK packages such exceptions are
 * made of, and refuses everything else (other libraries on the class path, {@code javax.*}, {@code sun.*},
 * {@code jdk.*}): a member that sends a Java-serialized object of another class gets it refused, not instantiated.
 */
public final class CommandSerialization implements DataSerializableFactory {

  public static final int FACTORY_ID = 7101;
  /** What Java deserialization may resolve: Hazelcast's classes and the JDK packages its exceptions are built of. */
  static final String[] JAVA_SERIALIZATION_ALLOWED = {"com.hazelcast.", "java.lang.", "java.util.", "java.io.",
      "java.net.", "java.time.", "java.math.", "["};
  /** Longest list a command or reply may announce, so a corrupt length cannot allocate the heap away. */
  private static final int MAX_LENGTH = 1_000_000;

  /** Registers the factory and restricts Java deserialization in the member's serialization settings. */
  public static void configure(SerializationConfig serialization) {
    serialization.addDataSerializableFactory(FACTORY_ID, new CommandSerialization());
    JavaSerializationFilterConfig filter = new JavaSerializationFilterConfig().setDefaultsDisabled(true);
    filter.getWhitelist().addPrefixes(JAVA_SERIALIZATION_ALLOWED);
    serialization.setJavaSerializationFilterConfig(filter);
  }

  @Override
  public IdentifiedDataSerializable create(int classId) {
    return WireType.create(classId);
  }

  static void checkLength(int n) throws IOException {
    if (n < 0 || n > MAX_LENGTH) {
      throw new IOException("length out of range: " + n);
    }
  }
}
