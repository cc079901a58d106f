package dev.warren.core.testing;

import com.rabbitmq.client.ConnectionFactory;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A private node with a virtual host of its own and one user per role of docs/reliability.md
 * ("Least privilege"), each with a random password and no permission until a test grants one:
 * the fixture of the least-privilege tests of both apps.
 */
public final class LeastPrivilegeNode implements AutoCloseable {

    /** The virtual host every user works in. */
    public static final String VHOST = "warren-lp";
    /** The worker's user. */
    public static final String WORKER = "warren-worker";
    /** The producer's user: send, load, status. */
    public static final String PRODUCER = "warren-producer";
    /** The DLQ tools' user. */
    public static final String DLQ_TOOLS = "warren-dlq";

    private final PrivateRabbitNode node;
    private final BrokerAccess access;
    private final Map<String, String> passwords = new ConcurrentHashMap<>();

    private LeastPrivilegeNode(PrivateRabbitNode node, BrokerAccess access) {
        this.node = node;
        this.access = access;
    }

    /** Starts the node and adds the vhost and the users of the three roles plus {@code moreUsers}. */
    public static LeastPrivilegeNode start(String... moreUsers) {
        PrivateRabbitNode node = PrivateRabbitNode.builder().build();
        node.start();
        try {
            LeastPrivilegeNode fixture = new LeastPrivilegeNode(node, BrokerAccess.of(node));
            fixture.access.addVhost(VHOST);
            List<String> users = new ArrayList<>(List.of(WORKER, PRODUCER, DLQ_TOOLS));
            users.addAll(List.of(moreUsers));
            for (String user : users) {
                fixture.passwords.put(user, "pw-" + UUID.randomUUID());
                fixture.access.addUser(user, fixture.passwords.get(user));
            }
            return fixture;
        } catch (RuntimeException e) {
            node.close();
            throw e;
        }
    }

    /** Grants every role its documented permissions for {@code queue}; returns the queue. */
    public String grantDocumented(String queue) {
        for (String user : new String[] {WORKER, PRODUCER, DLQ_TOOLS}) {
            DocumentedPermissions.of(user).forQueue(queue).grant(access, VHOST);
        }
        return queue;
    }

    /** Grants {@code permissions} (one role's, for one queue) in the vhost. */
    public void grant(DocumentedPermissions permissions) {
        permissions.grant(access, VHOST);
    }

    /** Sets {@code user}'s permissions in the vhost to the three regexps. */
    public void setPermissions(String user, String configure, String write, String read) {
        access.setPermissions(VHOST, user, configure, write, read);
    }

    /** {@code amqp://user:password@127.0.0.1:port/warren-lp}. */
    public String uri(String user) {
        return "amqp://" + user + ":" + password(user) + "@127.0.0.1:" + node.port() + "/" + VHOST;
    }

    /** The URI without credentials. */
    public String uriWithoutCredentials() {
        return "amqp://127.0.0.1:" + node.port() + "/" + VHOST;
    }

    /** The password of {@code user}. */
    public String password(String user) {
        String password = passwords.get(user);
        if (password == null) {
            throw new IllegalArgumentException("no user '" + user + "' on this node; users: " + passwords.keySet());
        }
        return password;
    }

    /** Every user's password, to check none is printed. */
    public Collection<String> passwords() {
        return List.copyOf(passwords.values());
    }

    /** A plain amqp-client factory for {@code user}, without automatic recovery. */
    public ConnectionFactory factory(String user) throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(uri(user));
        factory.setAutomaticRecoveryEnabled(false);
        return factory;
    }

    @Override
    public void close() {
        node.close();
    }
}
