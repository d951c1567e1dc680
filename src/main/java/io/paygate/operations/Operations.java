package io.paygate.operations;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.paygate.broker.DeadLetterQueue;
import io.paygate.database.Database;
import io.paygate.order.OrderLifecycle;
import jakarta.jms.ConnectionFactory;
import org.apache.camel.spi.Registry;

/** Binds the beans of the operator endpoints (routes/admin.yaml). */
public final class Operations {

    private Operations() {
    }

    public static void bind(Registry registry, ObjectMapper json, OrderLifecycle lifecycle, Database database,
                            ConnectionFactory jms) {
        OperatorActions actions = new OperatorActions(database);
        registry.bind("deadLetterDesk", new DeadLetterDesk(json, DeadLetterQueue.over(jms), actions));
        registry.bind("orderDesk", new OrderDesk(json, new OrderListing(database),
                new OrderResolver(lifecycle, actions), actions));
    }
}
