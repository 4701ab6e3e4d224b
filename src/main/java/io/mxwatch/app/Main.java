package io.mxwatch.app;

public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.out.println("mxwatch");
  }
}
