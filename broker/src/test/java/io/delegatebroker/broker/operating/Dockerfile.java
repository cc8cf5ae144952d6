package io.delegatebroker.broker.operating;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** The few facts of the Dockerfile the tests check. */
record Dockerfile(List<String> lines) {

  static final Pattern COPY_JAR = Pattern.compile("^COPY\\s+(\\S+\\.jar)\\s+(\\S+)$");

  static Dockerfile read() {
    return new Dockerfile(RepoFiles.read("Dockerfile").lines().map(String::trim)
        .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList());
  }

  /** The argument of the last instruction of that name. */
  String last(String instruction) {
    String found = null;
    for (String l : lines) {
      if (l.startsWith(instruction + " ")) {
        found = l.substring(instruction.length() + 1).trim();
      }
    }
    if (found == null) {
      throw new AssertionError("Dockerfile has no " + instruction);
    }
    return found;
  }

  Set<Integer> exposedPorts() {
    return Arrays.stream(last("EXPOSE").split("\\s+")).map(Integer::valueOf)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  String javaOptions() {
    Matcher m = Pattern.compile("JAVA_TOOL_OPTIONS=\"([^\"]*)\"").matcher(last("ENV"));
    if (!m.find()) {
      throw new AssertionError("Dockerfile sets no JAVA_TOOL_OPTIONS");
    }
    return m.group(1);
  }

  private Matcher copy() {
    for (String l : lines) {
      Matcher m = COPY_JAR.matcher(l);
      if (m.matches()) {
        return m;
      }
    }
    throw new AssertionError("Dockerfile copies no jar");
  }

  /** The jar's path in the repository (the build output it copies). */
  String jarInRepository() {
    return copy().group(1);
  }

  String jarInImage() {
    return copy().group(2);
  }
}
