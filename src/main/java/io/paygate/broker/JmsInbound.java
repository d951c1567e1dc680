package io.paygate.broker;

import jakarta.jms.BytesMessage;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.ObjectMessage;
import jakarta.jms.TextMessage;
import java.nio.charset.StandardCharsets;
import org.apache.camel.Exchange;
import org.apache.camel.component.jms.JmsMessage;

/**
 * First step of every JMS consumer: takes the body as UTF-8 text from a TextMessage or a
 * BytesMessage (STOMP clients send those) and refuses ObjectMessage before its body is read,
 * because reading it means Java deserialisation (CVE-2026-40860).
 */
public class JmsInbound {

    public static final String ORIGINAL_BODY = "paygateOriginalBody";
    /** Exchange property: the broker login that sent the message (JMSXUserID, stamped by the broker). */
    public static final String SENDER = "paygateSender";

    public void readText(Exchange exchange) throws JMSException {
        Message message = exchange.getIn() instanceof JmsMessage jms ? jms.getJmsMessage() : null;
        String text;
        if (message != null) {
            exchange.setProperty(SENDER, message.getStringProperty("JMSXUserID"));
        }
        if (message == null) {
            text = exchange.getIn().getBody(String.class);
        } else if (message instanceof ObjectMessage) {
            exchange.setProperty(ORIGINAL_BODY, "(ObjectMessage body not read)");
            exchange.getIn().setBody("(ObjectMessage body not read)");
            throw new UnprocessableMessage("ObjectMessage refused: paygate accepts JSON text only");
        } else if (message instanceof TextMessage textMessage) {
            text = textMessage.getText();
        } else if (message instanceof BytesMessage bytesMessage) {
            byte[] bytes = new byte[(int) bytesMessage.getBodyLength()];
            bytesMessage.readBytes(bytes);
            text = new String(bytes, StandardCharsets.UTF_8);
        } else {
            exchange.setProperty(ORIGINAL_BODY, "(" + message.getClass().getSimpleName() + " body not read)");
            exchange.getIn().setBody(exchange.getProperty(ORIGINAL_BODY));
            throw new UnprocessableMessage("unsupported JMS message type: send JSON as a TextMessage");
        }
        exchange.setProperty(ORIGINAL_BODY, text);
        exchange.getIn().setBody(text);
    }
}
