package dev.lattice.proto;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.CodedOutputStream;
import dev.lattice.proto.agent.v1.AgentMessage;
import dev.lattice.proto.agent.v1.AgentServiceGrpc;
import dev.lattice.proto.agent.v1.Heartbeat;
import io.grpc.MethodDescriptor;
import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;

class AgentProtocolTest {

    @Test
    void theStreamIsOneBidirectionalCall() {
        MethodDescriptor<AgentMessage, ?> connect = AgentServiceGrpc.getConnectMethod();
        assertThat(connect.getType()).isEqualTo(MethodDescriptor.MethodType.BIDI_STREAMING);
        assertThat(connect.getFullMethodName()).isEqualTo("lattice.agent.v1.AgentService/Connect");
    }

    @Test
    void aPeerToleratesFieldsFromANewerVersion() throws Exception {
        AgentMessage sent = AgentMessage.newBuilder()
                .setHeartbeat(Heartbeat.newBuilder().setState("Ready").setReadyNodes(3).setTotalNodes(4)).build();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        sent.writeTo(bytes);
        CodedOutputStream extra = CodedOutputStream.newInstance(bytes);
        extra.writeString(99, "a field this version does not know");
        extra.flush();
        AgentMessage received = AgentMessage.parseFrom(bytes.toByteArray());
        assertThat(received.getHeartbeat()).isEqualTo(sent.getHeartbeat());
        assertThat(received.getUnknownFields().hasField(99)).isTrue();
    }
}
