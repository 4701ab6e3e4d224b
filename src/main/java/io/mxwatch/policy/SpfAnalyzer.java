package io.mxwatch.policy;

import io.mxwatch.dns.DnsOutcome;
import io.mxwatch.dns.LookupScope;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Walks a domain's SPF record and everything it includes or redirects to, level by level with the
 * lookups of one level in flight together, and counts what an evaluator would pay: DNS-querying
 * terms (limit 10) and void lookups (limit 2). The count is the worst case over every term, as
 * receivers that evaluate the whole record would meet it. The work is bounded: a, mx and exists
 * terms are queried only up to the limit of 10, and not in a level below one that already had more
 * than 2 void lookups (beyond either limit they are counted, not queried), and at most {@value
 * #MAX_FOLLOWED} include and redirect targets are fetched.
 */
public final class SpfAnalyzer {
  /** Include and redirect targets followed per check at most; a hostile tree stops here. */
  static final int MAX_FOLLOWED = 40;

  /** Blocking form of {@link #analyzeAsync}. */
  public SpfResult analyze(LookupScope scope, Name domain, DnsOutcome txt) {
    return analyzeAsync(scope, domain, txt).join();
  }

  /**
   * Analyses the SPF of {@code domain} from its TXT answer; the include tree is walked one level at
   * a time, each level's lookups in flight together, without holding a thread while they are.
   */
  public CompletableFuture<SpfResult> analyzeAsync(LookupScope scope, Name domain, DnsOutcome txt) {
    List<String> records = spfRecords(txt);
    SpfRecord top = records.size() == 1 ? SpfParser.parse(records.get(0)) : null;
    if (top == null || !top.valid()) {
      return CompletableFuture.completedFuture(SpfResult.unanalysed(txt.status(), records, top));
    }
    return new Walk(scope, domain).run(txt, records, top);
  }

  /** The SPF records among the TXT records of an answer. */
  public static List<String> spfRecords(DnsOutcome txt) {
    return TxtRecords.select(txt, SpfParser::isSpf);
  }

  private static final class Walk {
    private final LookupScope scope;
    private final Name checked;
    private int lookups;
    private int voids;
    private boolean complete = true;
    private int fetched;
    private final List<SpfInclude> includes = new ArrayList<>();
    private final List<String> voidTerms = new ArrayList<>();
    private final List<String> mxOverLimit = new ArrayList<>();
    private final Map<Name, SpfRecord> followed = new HashMap<>();

    private record Node(Name domain, SpfRecord record, List<Name> path, int depth) {}

    /** A lookup planned for one term. */
    private record Pending(Node node, SpfTerm term, Name target, List<CompletableFuture<DnsOutcome>> answers) {}

    Walk(LookupScope scope, Name checked) {
      this.scope = scope;
      this.checked = checked;
    }

    CompletableFuture<SpfResult> run(DnsOutcome txt, List<String> records, SpfRecord top) {
      followed.put(checked, top);
      return walk(List.of(new Node(checked, top, List.of(checked), 0)))
          .thenApply(
              done ->
                  new SpfResult(
                      txt.status(), records, top, lookups, voids, complete, effectiveAll(top), includes, voidTerms, mxOverLimit));
    }

    /**
     * Plans the lookups of one level, and once they are all answered settles them and walks the
     * next level. The stages run one after another, so the walk's state needs no locking.
     */
    private CompletableFuture<Void> walk(List<Node> level) {
      if (level.isEmpty()) {
        return CompletableFuture.completedFuture(null);
      }
      List<Pending> pending = new ArrayList<>();
      for (Node node : level) {
        for (SpfTerm term : node.record().effectiveTerms()) {
          plan(node, term, pending);
        }
      }
      return CompletableFuture.allOf(
              pending.stream().flatMap(p -> p.answers().stream()).toArray(CompletableFuture[]::new))
          .thenCompose(
              answered -> {
                List<Node> next = new ArrayList<>();
                for (Pending p : pending) {
                  settle(p, next);
                }
                return walk(next);
              });
    }

    private void plan(Node node, SpfTerm term, List<Pending> pending) {
      if (!term.countsAsLookup()) {
        return;
      }
      lookups++;
      String via = term.name();
      Name target = target(node, term);
      switch (via) {
        case "include", "redirect" -> {
          if (target == null) {
            complete = false;
            includes.add(include(node, term, term.domainSpec(), null, null, SpfInclude.Problem.MACRO));
          } else if (node.path().contains(target)) {
            includes.add(include(node, term, text(target), null, null, SpfInclude.Problem.LOOP));
          } else if (fetched >= MAX_FOLLOWED) {
            complete = false;
            includes.add(include(node, term, text(target), null, null, SpfInclude.Problem.NOT_FOLLOWED));
          } else {
            fetched++;
            pending.add(new Pending(node, term, target, List.of(scope.lookup(target, Type.TXT))));
          }
        }
        case "a" -> probe(node, term, target, pending, Type.A, Type.AAAA);
        case "mx" -> probe(node, term, target, pending, Type.MX);
        case "exists" -> probe(node, term, target, pending, Type.A);
        default -> {
          // ptr: its queries depend on the connecting address; nothing to look up statically
        }
      }
    }

    private void probe(Node node, SpfTerm term, Name target, List<Pending> pending, int... types) {
      if (target == null) {
        return; // macros that depend on the sender: nothing to look up statically
      }
      if (lookups > SpfResult.LOOKUP_LIMIT || voids > SpfResult.VOID_LIMIT) {
        // past either of the RFC's limits a receiver stops with permerror: the term is counted,
        // not queried, so a record of thousands of a:/mx:/exists: terms costs the check at most
        // ten of them, and terms of an include below three void lookups none
        return;
      }
      List<CompletableFuture<DnsOutcome>> answers = new ArrayList<>();
      for (int type : types) {
        answers.add(scope.lookup(target, type));
      }
      pending.add(new Pending(node, term, target, answers));
    }

    private void settle(Pending p, List<Node> next) {
      String via = p.term().name();
      if (!via.equals("include") && !via.equals("redirect")) {
        settleProbe(p);
        return;
      }
      DnsOutcome outcome = p.answers().get(0).join();
      String name = text(p.target());
      switch (outcome) {
        case DnsOutcome.Failure failure -> {
          complete = false;
          includes.add(include(p.node(), p.term(), name, outcome, null, null));
        }
        case DnsOutcome.Absent absent -> {
          voids++;
          voidTerms.add(p.term().text() + " (" + outcome.status().label() + ")");
          includes.add(include(p.node(), p.term(), name, outcome, null, SpfInclude.Problem.NO_SPF));
        }
        case DnsOutcome.Answer answer -> {
          List<String> found = spfRecords(answer);
          if (found.isEmpty()) {
            includes.add(include(p.node(), p.term(), name, outcome, null, SpfInclude.Problem.NO_SPF));
          } else if (found.size() > 1) {
            includes.add(include(p.node(), p.term(), name, outcome, null, SpfInclude.Problem.MULTIPLE));
          } else {
            SpfRecord record = SpfParser.parse(found.get(0));
            if (!record.valid()) {
              includes.add(include(p.node(), p.term(), name, outcome, record, SpfInclude.Problem.SYNTAX));
            } else {
              includes.add(include(p.node(), p.term(), name, outcome, record, null));
              followed.put(p.target(), record);
              List<Name> path = new ArrayList<>(p.node().path());
              path.add(p.target());
              next.add(new Node(p.target(), record, List.copyOf(path), p.node().depth() + 1));
            }
          }
        }
      }
    }

    private void settleProbe(Pending p) {
      boolean found = false;
      boolean failed = false;
      String absence = null;
      for (CompletableFuture<DnsOutcome> answer : p.answers()) {
        DnsOutcome outcome = answer.join();
        switch (outcome) {
          case DnsOutcome.Answer a -> {
            found = true;
            if (p.term().isMechanism("mx") && a.records().size() > SpfResult.MX_LIMIT) {
              mxOverLimit.add(p.term().text() + where(p.node()) + " (" + a.records().size() + " MX records)");
            }
          }
          case DnsOutcome.Absent a -> absence = outcome.status().label();
          case DnsOutcome.Failure f -> failed = true;
        }
      }
      if (found) {
        return;
      }
      if (failed) {
        complete = false;
        return;
      }
      voids++;
      voidTerms.add(p.term().text() + where(p.node()) + " (" + absence + ")");
    }

    /** " in <domain>" for terms of included records, nothing for the checked domain's own. */
    private static String where(Node node) {
      return node.depth() > 0 ? " in " + text(node.domain()) : "";
    }

    private SpfInclude include(Node node, SpfTerm term, String target, DnsOutcome outcome, SpfRecord record, SpfInclude.Problem problem) {
      return new SpfInclude(
          target,
          term.name(),
          text(node.domain()),
          node.depth() + 1,
          outcome == null ? null : outcome.status(),
          record,
          problem);
    }

    /** The name a term queries: its domain-spec expanded, or the current domain; null if unknown. */
    private Name target(Node node, SpfTerm term) {
      if (term.domainSpec() == null) {
        return node.domain();
      }
      String expanded =
          SpfMacros.expand(term.domainSpec(), Map.of('d', text(node.domain()), 'o', text(checked)));
      if (expanded == null) {
        return null;
      }
      try {
        return Name.fromString(expanded.endsWith(".") ? expanded : expanded + ".");
      } catch (TextParseException e) {
        return null;
      }
    }

    /** The all term in effect, following redirects; null when there is none or it is unknown. */
    private String effectiveAll(SpfRecord top) {
      SpfRecord record = top;
      Name current = checked;
      for (int hops = 0; hops < MAX_FOLLOWED && record != null; hops++) {
        var all = record.all();
        if (all.isPresent()) {
          return all.get().qualifier() + "all";
        }
        var redirect = record.redirect();
        if (redirect.isEmpty()) {
          return null;
        }
        Name target = target(new Node(current, record, List.of(), 0), redirect.get());
        if (target == null) {
          return null;
        }
        current = target;
        record = followed.get(target);
      }
      return null;
    }

    private static String text(Name name) {
      return io.mxwatch.dns.NameText.of(name);
    }
  }
}
